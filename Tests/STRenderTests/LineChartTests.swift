import Testing
import STCore
@testable import STRender

@Suite struct LineChartTests {
    /// Seed 000's masking-faithfulness numbers: accuracy 88.3 unmasked, then 88.1, 64.31, 14.82
    /// with 10/50/90 % of the important joints masked; the non-important curve stays high.
    let chart = LineChart(title: "Masking faithfulness", xLabel: "% masked", yLabel: "accuracy",
                          x: [0, 10, 50, 90],
                          series: ["important": [88.3, 88.1, 64.31, 14.82], "non-important": [88.3, 88.2, 87.5, 80.1]])

    func polylines(_ reading: ChartReading) -> [SVGReading.Element] {
        reading.elements.named("polyline", inGroup: "series")
    }

    @Test func drawsEachSeriesAsALineWithDotsInPaletteColours() throws {
        let reading = try ChartReading(chart.svg())
        #expect(reading.elements.first?.attributes["width"] == "720" && reading.elements.first?.attributes["height"] == "480")
        let lines = polylines(reading)
        #expect(lines.compactMap { $0.attributes["stroke"] } == [ChartPalette.tab10[0], ChartPalette.tab10[1]].map(SVGMarkup.hex))
        #expect(lines.allSatisfy { ChartReading.points($0).count == 4 && $0.attributes["clip-path"] == "url(#plot-area)" })
        #expect(reading.elements.named("circle", inGroup: "series").count == 8)
        #expect(reading.texts(inGroup: "legend") == ["important", "non-important"])
        #expect(reading.elements.named("circle", inGroup: "series").first?.title == "important: (0, 88.3)")
    }

    @Test func pointsLieWhereTheAxesPutThem() throws {
        // x 0 … 90 becomes the nice axis 0 … 100 (range nice(90) = 100, step nice(100/5) = 20), and
        // y 14.82 … 88.3 the axis 0 … 100 likewise: the point (50, 64.31) sits half-way across and
        // 64.31 % of the way up.
        let reading = try ChartReading(chart.svg())
        let plot = reading.plot
        let point = ChartReading.points(polylines(reading)[0])[2]
        #expect(abs(point.x - (plot.left + 0.5 * plot.width)) <= 0.01)
        #expect(abs(point.y - (plot.top + (1 - 0.6431) * plot.height)) <= 0.01)
        #expect(reading.texts(inGroup: "tick-labels").suffix(6) == ["0", "20", "40", "60", "80", "100"])
    }

    @Test func seriesColourCanBeChosen() throws {
        let purple = RGBColour(120, 0, 120)
        let reading = try ChartReading(LineChart(series: [.init(name: "deletion", x: [0, 1], y: [1, 0], colour: purple)]).svg())
        #expect(polylines(reading).compactMap { $0.attributes["stroke"] } == ["#780078"])
        #expect(!reading.elements.contains { $0.attributes["stroke"] == SVGMarkup.hex(ChartPalette.tab10[0]) })
    }

    @Test func higherValuesAreDrawnHigher() throws {
        // A flat series at y = 1 on a fixed 0…1 axis lies on the plot's top edge, at 0 on its bottom edge.
        func height(_ value: Double) throws -> (y: Double, plotTop: Double, plotBottom: Double) {
            var chart = LineChart(series: [.init(name: "s", x: [0, 1], y: [value, value])])
            chart.yRange = 0...1
            chart.showsMarkers = false
            let reading = try ChartReading(chart.svg())
            return (ChartReading.points(polylines(reading)[0])[0].y, reading.plot.top, reading.plot.top + reading.plot.height)
        }
        let (top, bottom) = (try height(1), try height(0))
        #expect(abs(top.y - top.plotTop) <= 0.01 && abs(bottom.y - bottom.plotBottom) <= 0.01)
        #expect(try height(0.5).y > top.y && height(0.5).y < bottom.y)
    }

    @Test func mismatchedSeriesAndTinyChartsAreErrors() {
        #expect(throws: STError.self) {
            try LineChart(series: [.init(name: "bad", x: [0, 1, 2], y: [1, 2])]).svg()
        }
        var tiny = chart
        tiny.width = 60
        #expect(throws: STError.self) { try tiny.svg() }
    }

    @Test func nonFiniteValuesBreakTheLineWithoutFailing() throws {
        // 0, NaN, 2, 3: the first point stands alone (a dot, no line), 2 and 3 make one line.
        let reading = try ChartReading(LineChart(series: [.init(name: "gap", x: [0, 1, 2, 3], y: [0, .nan, 2, 3])]).svg())
        #expect(polylines(reading).map { ChartReading.points($0).count } == [2])
        #expect(reading.elements.named("circle", inGroup: "series").count == 3)
        #expect(LineChart.finiteRuns(.init(name: "", x: [0, 1, 2, 3, 4], y: [1, 2, .infinity, 4, 5])).map(\.count) == [2, 2])
    }
}
