import Testing
import STCore
import TestSupport
@testable import STRender

@Suite struct LineChartTests {
    /// Seed 000's masking-faithfulness numbers: accuracy 88.3 unmasked, then 88.1, 64.31, 14.82
    /// with 10/50/90 % of the important joints masked; the non-important curve stays high.
    let chart = LineChart(title: "Masking faithfulness", xLabel: "% masked", yLabel: "accuracy",
                          x: [0, 10, 50, 90],
                          series: ["important": [88.3, 88.1, 64.31, 14.82], "non-important": [88.3, 88.2, 87.5, 80.1]])

    func count(_ colour: RGBColour, in image: RGBImage) -> Int {
        (0..<image.height).reduce(0) { total, y in
            total + (0..<image.width).filter { image[x: $0, y: y] == colour }.count
        }
    }

    @Test func rendersBothSeriesInPaletteColours() throws {
        let image = try chart.render()
        #expect(image.width == 720 && image.height == 480)
        #expect(image.pixels.contains { $0 != 255 })
        // Each curve is ≥ 3 segments of 2-pixel lines across a plot several hundred pixels wide.
        #expect(count(ChartPalette.tab10[0], in: image) > 300)
        #expect(count(ChartPalette.tab10[1], in: image) > 300)
        #expect(count(ChartPalette.tab10[2], in: image) == 0)
    }

    @Test func seriesColourCanBeChosen() throws {
        let purple = RGBColour(120, 0, 120)
        let image = try LineChart(series: [.init(name: "deletion", x: [0, 1], y: [1, 0], colour: purple)]).render()
        #expect(count(purple, in: image) > 100)
        #expect(count(ChartPalette.tab10[0], in: image) == 0)
    }

    @Test func higherValuesAreDrawnHigher() throws {
        // A single flat series at y = 1 on a fixed 0…1 axis lies on the plot's top row; at y = 0 on
        // its bottom row. Compare the topmost coloured row in the left half of the image (the
        // legend, in the same colour, sits at the right).
        func topRow(_ value: Double) throws -> Int {
            var chart = LineChart(series: [.init(name: "s", x: [0, 1], y: [value, value])])
            chart.yRange = 0...1
            chart.showsMarkers = false
            let image = try chart.render()
            return (0..<image.height).first { y in
                (0..<(image.width / 2)).contains { image[x: $0, y: y] == ChartPalette.tab10[0] }
            } ?? -1
        }
        #expect(try topRow(1) < topRow(0.5))
        #expect(try topRow(0.5) < topRow(0))
    }

    @Test func mismatchedSeriesAndTinyImagesAreErrors() {
        expectError(.badInput, about: "series 'bad'", mentioning: "3 x values but 2 y values") {
            try LineChart(series: [.init(name: "bad", x: [0, 1, 2], y: [1, 2])]).render()
        }
        var tiny = chart
        tiny.width = 60
        expectError(.badInput, about: "chart", mentioning: "no room for the plot") { try tiny.render() }
    }

    @Test func nonFiniteValuesBreakTheLineWithoutFailing() throws {
        let image = try LineChart(series: [.init(name: "gap", x: [0, 1, 2, 3], y: [0, .nan, 2, 3])]).render()
        #expect(count(ChartPalette.tab10[0], in: image) > 0)
    }
}
