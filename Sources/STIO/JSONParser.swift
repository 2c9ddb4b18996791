/// A reason a safetensors buffer is malformed, turned into `STError.badInput` with the file name.
struct FormatProblem: Error {
    let reason: String

    init(_ reason: String) {
        self.reason = reason
    }
}

/// A parsed JSON value. Objects keep their members in order, duplicates included, so the header
/// checks can report a name given twice (dictionary-based parsers silently keep one).
indirect enum JSONValue {
    case object([(key: String, value: JSONValue)])
    case array([JSONValue])
    case string(String)
    /// The number's literal text (offsets must be exact integers, so no conversion through Double).
    case number(String)
    /// `true`, `false` or `null` (never meaningful in a safetensors header).
    case literal
}

/// A strict RFC 8259 JSON parser over the header bytes, nesting limited to `maximumDepth`.
struct JSONParser {
    static let maximumDepth = 64

    let bytes: [UInt8]
    var position = 0
    var depth = 0

    static func parse(_ bytes: [UInt8]) throws -> JSONValue {
        var parser = JSONParser(bytes: bytes)
        let value = try parser.value()
        parser.skipWhitespace()
        guard parser.position == bytes.count else { throw parser.problem("unexpected text after the top-level value") }
        return value
    }

    func problem(_ what: String) -> FormatProblem {
        FormatProblem("header is not valid JSON: \(what) at byte \(position)")
    }

    private var next: UInt8? { position < bytes.count ? bytes[position] : nil }

    private mutating func skipWhitespace() {
        while let byte = next, byte == 0x20 || byte == 0x09 || byte == 0x0a || byte == 0x0d {
            position += 1
        }
    }

    private mutating func expect(_ byte: UInt8) throws {
        guard next == byte else { throw problem("expected '\(Character(Unicode.Scalar(byte)))'") }
        position += 1
    }

    private mutating func value() throws -> JSONValue {
        skipWhitespace()
        guard let byte = next else { throw problem("unexpected end") }
        switch byte {
        case UInt8(ascii: "{"): return try nested { try $0.object() }
        case UInt8(ascii: "["): return try nested { try $0.array() }
        case UInt8(ascii: "\""): return .string(try string())
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number(try number())
        case UInt8(ascii: "t"): return try literal("true")
        case UInt8(ascii: "f"): return try literal("false")
        case UInt8(ascii: "n"): return try literal("null")
        default: throw problem("unexpected character")
        }
    }

    private mutating func nested(_ parse: (inout JSONParser) throws -> JSONValue) throws -> JSONValue {
        depth += 1
        guard depth <= Self.maximumDepth else { throw problem("nesting deeper than \(Self.maximumDepth) levels") }
        defer { depth -= 1 }
        return try parse(&self)
    }

    private mutating func object() throws -> JSONValue {
        try expect(UInt8(ascii: "{"))
        var members: [(key: String, value: JSONValue)] = []
        skipWhitespace()
        if next == UInt8(ascii: "}") {
            position += 1
            return .object(members)
        }
        while true {
            skipWhitespace()
            guard next == UInt8(ascii: "\"") else { throw problem("expected a string key") }
            let key = try string()
            skipWhitespace()
            try expect(UInt8(ascii: ":"))
            members.append((key, try value()))
            skipWhitespace()
            switch next {
            case UInt8(ascii: ","): position += 1
            case UInt8(ascii: "}"): position += 1; return .object(members)
            default: throw problem("expected ',' or '}'")
            }
        }
    }

    private mutating func array() throws -> JSONValue {
        try expect(UInt8(ascii: "["))
        var items: [JSONValue] = []
        skipWhitespace()
        if next == UInt8(ascii: "]") {
            position += 1
            return .array(items)
        }
        while true {
            items.append(try value())
            skipWhitespace()
            switch next {
            case UInt8(ascii: ","): position += 1
            case UInt8(ascii: "]"): position += 1; return .array(items)
            default: throw problem("expected ',' or ']'")
            }
        }
    }

    private mutating func literal(_ word: String) throws -> JSONValue {
        for byte in word.utf8 {
            guard next == byte else { throw problem("invalid literal") }
            position += 1
        }
        return .literal
    }

    /// `-?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?`, returned as text.
    private mutating func number() throws -> String {
        let start = position
        if next == UInt8(ascii: "-") { position += 1 }
        if next == UInt8(ascii: "0") {
            position += 1
        } else {
            try digits()
        }
        if next == UInt8(ascii: ".") {
            position += 1
            try digits()
        }
        if next == UInt8(ascii: "e") || next == UInt8(ascii: "E") {
            position += 1
            if next == UInt8(ascii: "+") || next == UInt8(ascii: "-") { position += 1 }
            try digits()
        }
        return String(decoding: bytes[start..<position], as: UTF8.self)
    }

    /// One or more decimal digits.
    private mutating func digits() throws {
        guard let byte = next, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) else {
            throw problem("malformed number")
        }
        while let byte = next, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) {
            position += 1
        }
    }

    private mutating func string() throws -> String {
        try expect(UInt8(ascii: "\""))
        var utf8: [UInt8] = []
        while true {
            guard let byte = next else { throw problem("unterminated string") }
            position += 1
            switch byte {
            case UInt8(ascii: "\""):
                guard let text = String(bytes: utf8, encoding: .utf8) else { throw problem("string is not valid UTF-8") }
                return text
            case UInt8(ascii: "\\"):
                UTF8.encode(try escapedScalar()) { utf8.append($0) }
            case 0..<0x20:
                throw problem("control character inside a string")
            default:
                utf8.append(byte)
            }
        }
    }

    /// The character after a backslash: one of `"\/bfnrt`, or `uXXXX` (a surrogate pair as two).
    private mutating func escapedScalar() throws -> Unicode.Scalar {
        guard let byte = next else { throw problem("unterminated escape") }
        position += 1
        switch byte {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): return Unicode.Scalar(byte)
        case UInt8(ascii: "b"): return "\u{08}"
        case UInt8(ascii: "f"): return "\u{0C}"
        case UInt8(ascii: "n"): return "\n"
        case UInt8(ascii: "r"): return "\r"
        case UInt8(ascii: "t"): return "\t"
        case UInt8(ascii: "u"):
            let unit = try hexUnit()
            if (0xd800..<0xdc00).contains(unit) {
                guard next == UInt8(ascii: "\\") else { throw problem("unpaired surrogate escape") }
                position += 1
                try expect(UInt8(ascii: "u"))
                let low = try hexUnit()
                guard (0xdc00..<0xe000).contains(low),
                      let scalar = Unicode.Scalar(0x10000 + (unit - 0xd800) << 10 + (low - 0xdc00))
                else { throw problem("unpaired surrogate escape") }
                return scalar
            }
            guard let scalar = Unicode.Scalar(unit) else { throw problem("unpaired surrogate escape") }
            return scalar
        default:
            throw problem("invalid escape")
        }
    }

    /// Four hexadecimal digits.
    private mutating func hexUnit() throws -> UInt32 {
        var unit: UInt32 = 0
        for _ in 0..<4 {
            guard let byte = next, let digit = Character(Unicode.Scalar(byte)).hexDigitValue else {
                throw problem("invalid \\u escape")
            }
            unit = unit << 4 | UInt32(digit)
            position += 1
        }
        return unit
    }
}
