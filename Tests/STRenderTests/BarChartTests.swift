import Testing
import STCore
@testable import STRender

@Suite struct BarChartTests {
    @Test func barHeightsAreProportionalToValues() throws {
        // One series, values 1 and 0.5 on a fixed 0…1 axis: bar 0 spans the plot's full height h,
        // bar 1 half of it; both stand on the plot's bottom edge. Coordinates are written to a
        // hundredth.
        var chart = BarChart(categories: ["a", "b"], series: [.init(name: "m", values: [1, 0.5])])
        chart.yRange = 0...1
        chart.showsValueLabels = false
        let reading = try ChartReading(chart.svg())
        let plot = reading.plot
        let bars = reading.elements.named("rect", inGroup: "bars")
        #expect(bars.count == 2)
        #expect(plot.height > 300)
        let heights = bars.map { ChartReading.number($0, "height") }
        #expect(abs(heights[0] - plot.height) <= 0.01)
        #expect(abs(heights[1] - plot.height / 2) <= 0.01)
        for bar in bars {
            #expect(abs(ChartReading.number(bar, "y") + ChartReading.number(bar, "height") - (plot.top + plot.height)) <= 0.01)
        }
        #expect(ChartReading.number(bars[0], "x") < ChartReading.number(bars[1], "x"))
    }

    @Test func groupedBarsUseOneColourPerSeriesNamedInTheLegend() throws {
        let chart = BarChart(title: "Deletion AUC", yLabel: "AUC", categories: ["Grad-CAM", "LRP", "saliency"],
                             series: [.init(name: "video", values: [0.21, 0.15, 0.3]),
                                      .init(name: "skeleton", values: [0.4, -0.1, 0.25])])
        let reading = try ChartReading(chart.svg())
        let bars = reading.elements.named("rect", inGroup: "bars")
        #expect(bars.compactMap { $0.attributes["fill"] }
            == Array(repeating: SVGMarkup.hex(ChartPalette.tab10[0]), count: 3) + Array(repeating: SVGMarkup.hex(ChartPalette.tab10[1]), count: 3))
        #expect(reading.texts(inGroup: "legend") == ["video", "skeleton"])
        #expect(reading.texts(inGroup: "tick-labels").suffix(3) == ["Grad-CAM", "LRP", "saliency"])
        #expect(bars[4].title == "skeleton, LRP: -0.10")
        #expect(reading.elements.contains { $0.attributes["class"] == "zero" })  // the axis spans −0.1 … 0.4
        #expect(reading.elements.first { $0.attributes["class"] == "title" }?.text == "Deletion AUC")
        #expect(reading.elements.first { $0.attributes["class"] == "y-label" }?.text == "AUC")
    }

    @Test func valueLabelsSitAbovePositiveBarsAndBelowNegativeOnes() throws {
        let chart = BarChart(categories: ["up", "down"], series: [.init(name: "m", values: [0.5, -0.5])])
        let reading = try ChartReading(chart.svg())
        let bars = reading.elements.named("rect", inGroup: "bars")
        let labels = reading.elements.named("text", inGroup: "value-labels")
        // The axis runs −0.6 … 0.6 in steps of 0.2: one decimal on the ticks, two on the labels.
        #expect(labels.map(\.text) == ["0.50", "-0.50"])
        #expect(ChartReading.number(labels[0], "y") < ChartReading.number(bars[0], "y"))
        #expect(ChartReading.number(labels[1], "y") > ChartReading.number(bars[1], "y") + ChartReading.number(bars[1], "height"))
    }

    @Test func seriesMustHaveOneValuePerCategory() {
        #expect(throws: STError.self) {
            try BarChart(categories: ["a", "b"], series: [.init(name: "m", values: [1])]).svg()
        }
    }

    @Test func longCategoryNamesAreShortened() {
        // Estimated at 0.6 em a character, 6 units at font size 10: "abcdefgh" is 48 wide; in 30,
        // "abcd…" (5 characters, 30) fits but "abcde…" (36) does not.
        #expect(BarChart.truncated("abcdefgh", toWidth: 30, fontSize: 10) == "abcd…")
        #expect(BarChart.truncated("ab", toWidth: 30, fontSize: 10) == "ab")
    }

    @Test func labelsAreEscaped() throws {
        let chart = BarChart(title: "A < B & C", categories: ["x\"y"], series: [.init(name: "m", values: [1])])
        let reading = try ChartReading(chart.svg())
        #expect(reading.elements.first { $0.attributes["class"] == "title" }?.text == "A < B & C")
        #expect(reading.texts(inGroup: "tick-labels").last == "x\"y")
    }
}
