import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif

/// Test-only SVG reading through Foundation's `XMLParser`: the elements of a document in document
/// order, each with its attributes, its parent, the text directly inside it and the text of its
/// `<title>` child.
final class SVGReading: NSObject, XMLParserDelegate {
    struct Element {
        let name: String
        let attributes: [String: String]
        /// Index of the enclosing element in `elements`, nil for the root.
        let parent: Int?
        var text = ""
        var title: String?
    }

    private(set) var elements: [Element] = []
    private var openElements: [Int] = []

    /// The document's elements, or nil when `svg` is not well-formed XML.
    static func elements(of svg: String) -> [Element]? {
        let reading = SVGReading()
        let parser = XMLParser(data: Data(svg.utf8))
        parser.delegate = reading
        return parser.parse() ? reading.elements : nil
    }

    func parser(_ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?,
                qualifiedName: String?, attributes: [String: String] = [:]) {
        elements.append(Element(name: elementName, attributes: attributes, parent: openElements.last))
        openElements.append(elements.count - 1)
    }

    func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?,
                qualifiedName: String?) {
        let closed = openElements.removeLast()
        if elements[closed].name == "title", let parent = elements[closed].parent {
            elements[parent].title = elements[closed].text
        }
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) {
        if let current = openElements.last {
            elements[current].text += string
        }
    }
}

extension [SVGReading.Element] {
    /// The elements named `name` whose parent has `class="…"` equal to `parentClass`.
    func named(_ name: String, inGroup parentClass: String) -> [SVGReading.Element] {
        filter { $0.name == name && $0.parent.map { self[$0].attributes["class"] } == parentClass }
    }
}
