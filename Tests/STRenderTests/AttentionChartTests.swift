import Testing
import STCore
@testable import STRender

@Suite struct AttentionChartTests {
    @Test func oneBarPerFrameWithHeightsProportionalToWeightsFromZero() throws {
        // Bars are proportional to their weights: w/0.4 of the tallest (0.4, the Float nearest to
        // it, is a little above 0.4, so the axis reaches 0.5). The zero weight's bar has no height
        // but is still there, with its tooltip.
        let weights: [Float] = [0.1, 0.4, 0.2, 0.3, 0]
        let reading = try ChartReading(AttentionChart.svg(weights: weights))
        let bars = reading.elements.named("rect", inGroup: "bars")
        #expect(bars.count == weights.count)
        let lefts = bars.map { ChartReading.number($0, "x") }
        #expect(lefts == lefts.sorted())
        let tallest = ChartReading.number(bars[1], "height")
        #expect(tallest > 0.7 * reading.plot.height)
        for (bar, weight) in zip(bars, weights) {
            #expect(abs(ChartReading.number(bar, "height") - Double(weight) / 0.4 * tallest) <= 0.02)
        }
        #expect(bars[4].title == "attention, 4: 0.00")
        #expect(reading.texts(inGroup: "tick-labels").suffix(5) == ["0", "1", "2", "3", "4"])
        #expect(reading.elements.first { $0.attributes["class"] == "x-label" }?.text == "frame")
    }

    @Test func longClipsKeepOneBarPerFrameAndNameTheRangeInstead() throws {
        // 100 frames: the frame numbers no longer fit under the bars, which still get one slot each.
        let reading = try ChartReading(AttentionChart.svg(weights: (0..<100).map { Float($0 % 7 + 1) }))
        #expect(reading.elements.named("rect", inGroup: "bars").count == 100)
        #expect(reading.elements.first { $0.attributes["class"] == "x-label" }?.text == "frame 0–99")
        #expect(!reading.texts(inGroup: "tick-labels").contains("99"))
    }

    @Test func emptyOrNonFiniteWeightsAreRejected() {
        #expect(throws: STError.self) { try AttentionChart.svg(weights: []) }
        #expect(throws: STError.self) { try AttentionChart.svg(weights: [0.5, .nan]) }
    }

    @Test func chartHasTheRequestedSize() throws {
        let root = try ChartReading(AttentionChart.svg(weights: [0.2, 0.8], width: 400, height: 300)).elements.first
        #expect(root?.attributes["width"] == "400" && root?.attributes["height"] == "300")
        #expect(root?.attributes["viewBox"] == "0 0 400 300")
    }
}
