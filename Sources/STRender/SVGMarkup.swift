/// The pieces of SVG documents: the document frame, elements with their attributes, numbers and
/// colours as SVG writes them. Coordinates are user units, one per CSS pixel.
enum SVGMarkup {
    /// The opening of a `width × height` document with a white background; text defaults to the
    /// reader's sans-serif font at `fontSize`. Close it with `"</svg>"`.
    static func header(width: Double, height: Double, fontSize: Double) -> [String] {
        [
            #"<?xml version="1.0" encoding="UTF-8"?>"#,
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(number(width))\" height=\"\(number(height))\" "
                + "viewBox=\"0 0 \(number(width)) \(number(height))\" font-family=\"sans-serif\" font-size=\"\(number(fontSize))\">",
            #"  <rect width="100%" height="100%" fill="white"/>"#,
        ]
    }

    /// `<name a="v" …/>`, or with `text` (escaped) `<name …>text</name>`; a `title` becomes a
    /// `<title>` child, the tooltip browsers show. Attribute values are written by
    /// `SVGAttributeValue`; pairs are kept in the order given.
    static func element(_ name: String, _ attributes: KeyValuePairs<String, any SVGAttributeValue>, text: String? = nil,
                        title: String? = nil) -> String {
        let opening = "<" + name + attributes.map { " \($0.key)=\"\($0.value.svgValue)\"" }.joined()
        guard text != nil || title != nil else { return opening + "/>" }
        return opening + ">" + (title.map { "<title>\(MarkupText.escaped($0))</title>" } ?? "")
            + MarkupText.escaped(text ?? "") + "</\(name)>"
    }

    /// A length or coordinate to a hundredth of a pixel, without trailing zeros: 94, 5.25, 0.5.
    static func number(_ value: Double) -> String {
        var text = AxisScale.format(value, decimals: 2)
        while text.hasSuffix("0") && text.contains(".") { text.removeLast() }
        if text.hasSuffix(".") { text.removeLast() }
        return text
    }

    /// `#rrggbb`.
    static func hex(_ colour: RGBColour) -> String {
        let digits = Array("0123456789abcdef")
        return "#" + String([colour.red, colour.green, colour.blue].flatMap { [digits[Int($0 >> 4)], digits[Int($0 & 15)]] })
    }
}

/// A value `SVGMarkup.element` can write into an attribute.
protocol SVGAttributeValue {
    /// The attribute's text, safe inside double quotes.
    var svgValue: String { get }
}

extension Double: SVGAttributeValue {
    var svgValue: String { SVGMarkup.number(self) }
}

extension Int: SVGAttributeValue {
    var svgValue: String { String(self) }
}

extension String: SVGAttributeValue {
    var svgValue: String { MarkupText.escaped(self) }
}

extension RGBColour: SVGAttributeValue {
    var svgValue: String { SVGMarkup.hex(self) }
}
