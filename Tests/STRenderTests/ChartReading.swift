import Testing
@testable import STRender

/// Test-only reading of the charts' SVG: the elements, the plot area (the frame drawn around it)
/// and numeric attributes.
struct ChartReading {
    let elements: [SVGReading.Element]

    init(_ svg: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        elements = try #require(SVGReading.elements(of: svg), "not well-formed SVG", sourceLocation: sourceLocation)
    }

    /// The attribute as a number (0 when missing, so comparisons fail visibly).
    static func number(_ element: SVGReading.Element, _ attribute: String) -> Double {
        element.attributes[attribute].flatMap(Double.init) ?? 0
    }

    /// The plot area as (left, top, width, height): the first rectangle of the axes group.
    var plot: (left: Double, top: Double, width: Double, height: Double) {
        guard let frame = elements.named("rect", inGroup: "axes").first else { return (0, 0, 0, 0) }
        return (Self.number(frame, "x"), Self.number(frame, "y"), Self.number(frame, "width"), Self.number(frame, "height"))
    }

    /// The points of a `<polyline>`, in order.
    static func points(_ polyline: SVGReading.Element) -> [(x: Double, y: Double)] {
        (polyline.attributes["points"] ?? "").split(separator: " ").map { pair in
            let values = pair.split(separator: ",").compactMap { Double($0) }
            return (values.first ?? .nan, values.last ?? .nan)
        }
    }

    /// The text of every `<text>` directly inside the group of class `group`, in order.
    func texts(inGroup group: String) -> [String] {
        elements.named("text", inGroup: group).map(\.text)
    }
}
