import Testing
import STCore
import TestSupport
@testable import STRender

@Suite struct BarChartTests {
    func count(_ colour: RGBColour, inColumn x: Int, of image: RGBImage) -> Int {
        (0..<image.height).filter { image[x: x, y: $0] == colour }.count
    }

    @Test func barHeightsAreProportionalToValues() throws {
        // One series, values 1 and 0.5 on a fixed 0…1 axis: bar 0 spans the plot's full height h,
        // bar 1 about h/2 (rows round((1 − 0.5)(h − 1)) … h − 1).
        var chart = BarChart(categories: ["a", "b"], series: [.init(name: "m", values: [1, 0.5])])
        chart.yRange = 0...1
        chart.showsValueLabels = false
        let image = try chart.render()
        let colour = ChartPalette.tab10[0]
        let columns = (0..<image.width).filter { count(colour, inColumn: $0, of: image) > 0 }
        let tall = count(colour, inColumn: columns.first ?? 0, of: image)
        let short = count(colour, inColumn: columns.last ?? 0, of: image)
        #expect(tall > 200)
        #expect(abs(Double(short) - Double(tall) / 2) <= 1)
    }

    @Test func groupedBarsUseOneColourPerSeries() throws {
        let chart = BarChart(title: "Deletion AUC", yLabel: "AUC", categories: ["Grad-CAM", "LRP", "saliency"],
                             series: [.init(name: "video", values: [0.21, 0.15, 0.3]),
                                      .init(name: "skeleton", values: [0.4, -0.1, 0.25])])
        let image = try chart.render()
        let pixels = Set((0..<image.height).flatMap { y in (0..<image.width).map { image[x: $0, y: y] } })
        #expect(pixels.contains(ChartPalette.tab10[0]) && pixels.contains(ChartPalette.tab10[1]))
        #expect(pixels.contains(.black))  // frame, labels and the zero line
    }

    @Test func seriesMustHaveOneValuePerCategory() {
        expectError(.badInput, about: "series 'm'", mentioning: "1 values for 2 categories") {
            try BarChart(categories: ["a", "b"], series: [.init(name: "m", values: [1])]).render()
        }
    }

    @Test func longCategoryNamesAreShortened() {
        // At scale 1 "abcdefgh" is 47 pixels; in 30 pixels "abc.." (29) fits but "abcd.." (35) does not.
        #expect(BarChart.truncated("abcdefgh", toWidth: 30, scale: 1) == "abc..")
        #expect(BarChart.truncated("ab", toWidth: 30, scale: 1) == "ab")
    }
}
