import Testing
import STCore
import TestSupport
@testable import STRender

@Suite struct AttentionChartTests {
    let barColour = ChartPalette.tab10[0]

    /// Runs of adjacent image columns holding the bar colour, one per bar, as (first column, height
    /// in pixels of the bar colour in that column).
    func bars(in image: RGBImage) -> [(column: Int, height: Int)] {
        var bars: [(column: Int, height: Int)] = []
        var previousHadBar = false
        for x in 0..<image.width {
            let height = (0..<image.height).filter { image[x: x, y: $0] == barColour }.count
            if height > 0 && !previousHadBar {
                bars.append((x, height))
            }
            previousHadBar = height > 0
        }
        return bars
    }

    @Test func oneBarPerFrameWithHeightsProportionalToWeightsFromZero() throws {
        // Axis 0 … 0.4 (ticks of 0.1). A bar spans rows round((1 − w/0.4)(h − 1)) … h − 1, so its
        // height is ≈ 1 + (w/0.4)(h − 1): the zero weight still shows as a one-pixel bar on the axis.
        let weights: [Float] = [0.1, 0.4, 0.2, 0.3, 0]
        let bars = bars(in: try AttentionChart.render(weights: weights))
        #expect(bars.count == weights.count)
        #expect(bars.map(\.column) == bars.map(\.column).sorted())
        let tallest = Double(bars[1].height)
        for (bar, weight) in zip(bars, weights) {
            #expect(abs(Double(bar.height) - 1 - Double(weight) / 0.4 * (tallest - 1)) <= 1)
        }
        #expect(bars[4].height == 1)
    }

    @Test func longClipsKeepOneBarPerFrame() throws {
        // 100 frames: the frame numbers no longer fit under the bars, which still get one slot each.
        let weights = (0..<100).map { Float($0 % 7 + 1) }
        let image = try AttentionChart.render(weights: weights)
        #expect(bars(in: image).count == 100)
    }

    @Test func emptyOrNonFiniteWeightsAreRejected() {
        expectError(.badInput, about: "temporal attention", mentioning: "no frame weights") {
            try AttentionChart.render(weights: [])
        }
        expectError(.badInput, about: "temporal attention", mentioning: "frame 1 has weight nan") {
            try AttentionChart.render(weights: [0.5, .nan])
        }
    }

    @Test func chartHasTheRequestedSize() throws {
        let image = try AttentionChart.render(weights: [0.2, 0.8], width: 400, height: 300)
        #expect(image.width == 400 && image.height == 300)
    }
}
