import Testing
@testable import STRender

@Suite struct SVGMarkupTests {
    @Test func numbersAreWrittenToHundredthsWithoutTrailingZeros() {
        #expect([94, 5.25, 0.5, 12.346, -0.001].map(SVGMarkup.number) == ["94", "5.25", "0.5", "12.35", "0"])
    }

    @Test func coloursAreWrittenAsHex() {
        #expect(SVGMarkup.hex(RGBColour(255, 10, 0)) == "#ff0a00")
    }

    @Test func elementsWriteTheirAttributesInOrderAndEscapeText() {
        #expect(SVGMarkup.element("rect", ["x": 1.5, "width": 2, "fill": RGBColour.black]) == ##"<rect x="1.5" width="2" fill="#000000"/>"##)
        #expect(SVGMarkup.element("text", ["class": "a\"b"], text: "x < y", title: "tip & more")
            == #"<text class="a&quot;b"><title>tip &amp; more</title>x &lt; y</text>"#)
    }

    @Test func documentsAreWellFormed() throws {
        let svg = (SVGMarkup.header(width: 100, height: 50.5, fontSize: 12) + ["</svg>"]).joined(separator: "\n")
        let root = try #require(SVGReading.elements(of: svg)?.first)
        #expect(root.attributes["viewBox"] == "0 0 100 50.5" && root.attributes["font-family"] == "sans-serif")
    }
}
