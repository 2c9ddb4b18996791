import STCore

/// The small subset of Python literal syntax an `.npy` header is written in, and its parser.
extension NPY {
    /// The Python literals an `.npy` header uses.
    indirect enum PythonLiteral: CustomStringConvertible {
        case string(String)
        /// `True`, `False`, `None` or another bare name.
        case name(String)
        /// A number's text as written (`3`, `-2`, `2.5`, `3L`).
        case number(String)
        /// A tuple (a parenthesised single item without a comma is that item, not a tuple) or list.
        case sequence([PythonLiteral], isList: Bool)
        case dictionary([(key: PythonLiteral, value: PythonLiteral)])

        var description: String {
            switch self {
            case .string(let text): return "'\(text)'"
            case .name(let text), .number(let text): return text
            case .sequence(let items, let isList):
                let inner = items.map(\.description).joined(separator: ", ")
                return isList ? "[\(inner)]" : "(\(inner)\(items.count == 1 ? "," : ""))"
            case .dictionary: return "{…}"
            }
        }
    }

    /// A parser for the subset of Python literal syntax `ast.literal_eval` accepts in headers.
    struct PythonLiteralParser {
        let bytes: [UInt8]
        var position = 0

        /// One literal spanning the whole input (surrounding whitespace allowed).
        mutating func parseAll() throws -> PythonLiteral {
            let value = try parseValue()
            skipWhitespace()
            guard position == bytes.count else { throw problem("unexpected text after the dict") }
            return value
        }

        private func problem(_ what: String) -> FormatProblem {
            FormatProblem("malformed header: \(what) at byte \(position)")
        }

        private var next: UInt8? { position < bytes.count ? bytes[position] : nil }

        private mutating func skipWhitespace() {
            while let byte = next, byte == 0x20 || byte == 0x09 || byte == 0x0a || byte == 0x0d { position += 1 }
        }

        private mutating func parseValue() throws -> PythonLiteral {
            skipWhitespace()
            guard let byte = next else { throw problem("unexpected end") }
            switch byte {
            case UInt8(ascii: "'"), UInt8(ascii: "\""): return .string(try parseString(quote: byte))
            case UInt8(ascii: "("): return try parseSequence(closing: UInt8(ascii: ")"))
            case UInt8(ascii: "["): return try parseSequence(closing: UInt8(ascii: "]"))
            case UInt8(ascii: "{"): return try parseDictionary()
            default:
                let start = position
                while let byte = next, Self.isWordByte(byte) { position += 1 }
                guard position > start else { throw problem("unexpected character '\(Character(Unicode.Scalar(byte)))'") }
                let word = String(decoding: bytes[start..<position], as: UTF8.self)
                return Self.isLetter(bytes[start]) || bytes[start] == UInt8(ascii: "_") ? .name(word) : .number(word)
            }
        }

        private static func isLetter(_ byte: UInt8) -> Bool {
            (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte | 0x20)
        }

        /// Letters, digits, `_`, `+`, `-` and `.`: the characters of names and numbers.
        private static func isWordByte(_ byte: UInt8) -> Bool {
            isLetter(byte) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || "_+-.".utf8.contains(byte)
        }

        private mutating func parseString(quote: UInt8) throws -> String {
            position += 1
            var text: [UInt8] = []
            while let byte = next, byte != quote {
                if byte == UInt8(ascii: "\\") { position += 1 }
                guard let character = next, character != 0x0a else { throw problem("unterminated string") }
                text.append(character)
                position += 1
            }
            guard next == quote else { throw problem("unterminated string") }
            position += 1
            return String(decoding: text, as: UTF8.self)
        }

        private mutating func parseSequence(closing: UInt8) throws -> PythonLiteral {
            position += 1
            var items: [PythonLiteral] = []
            var sawComma = false
            while true {
                skipWhitespace()
                if next == closing { break }
                items.append(try parseValue())
                skipWhitespace()
                if next == UInt8(ascii: ",") {
                    position += 1
                    sawComma = true
                } else if next != closing {
                    throw problem("expected ',' or '\(Character(Unicode.Scalar(closing)))'")
                }
            }
            position += 1
            let isList = closing == UInt8(ascii: "]")
            if !isList, items.count == 1, !sawComma { return items[0] }
            return .sequence(items, isList: isList)
        }

        private mutating func parseDictionary() throws -> PythonLiteral {
            position += 1
            var members: [(key: PythonLiteral, value: PythonLiteral)] = []
            while true {
                skipWhitespace()
                if next == UInt8(ascii: "}") { break }
                let key = try parseValue()
                skipWhitespace()
                guard next == UInt8(ascii: ":") else { throw problem("expected ':'") }
                position += 1
                members.append((key, try parseValue()))
                skipWhitespace()
                if next == UInt8(ascii: ",") {
                    position += 1
                } else if next != UInt8(ascii: "}") {
                    throw problem("expected ',' or '}'")
                }
            }
            position += 1
            return .dictionary(members)
        }
    }
}
