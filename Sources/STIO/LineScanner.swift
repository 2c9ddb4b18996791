/// Text read one line at a time as whitespace-separated tokens, counting 1-based line numbers for
/// error messages (the `.skeleton` reader's tokenizer).
///
/// Lines end in `"\n"`; a `"\r"` before it (CRLF files), spaces, tabs, vertical tabs and form feeds
/// separate tokens and are otherwise ignored, so trailing spaces do not matter. A UTF-8 byte-order
/// mark at the start is skipped. Blank lines at the end of the text are not lines at all: a reader
/// that runs out of lines reports the line after the last one with content (`nextLineNumber`).
/// Tokens are bytes, not validated as UTF-8; `LineScanner.text(_:)` decodes one for parsing or
/// quoting (invalid bytes become U+FFFD, so they still fail to parse as numbers).
struct LineScanner {
    /// One line: its 1-based number and its tokens (none for a blank line).
    struct Line {
        let number: Int
        let tokens: [ArraySlice<UInt8>]
    }

    private let bytes: [UInt8]
    /// Index of the first byte not yet read.
    private var position: Int
    /// Index just past the last byte that is not whitespace.
    private let contentEnd: Int
    /// Number of the line `nextLine()` returned last (0 before the first).
    private var lineNumber = 0

    init(_ bytes: [UInt8]) {
        self.bytes = bytes
        position = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
        contentEnd = (bytes.lastIndex { !Self.isWhitespace($0) && $0 != UInt8(ascii: "\n") } ?? -1) + 1
    }

    /// Whether every line with content has been read.
    var isAtEnd: Bool { position >= contentEnd }

    /// Number of the line the next `nextLine()` returns, or would return if the text went on.
    var nextLineNumber: Int { lineNumber + 1 }

    /// The next line, or `nil` when `isAtEnd`.
    mutating func nextLine() -> Line? {
        guard !isAtEnd else { return nil }
        let end = bytes[position...].firstIndex(of: UInt8(ascii: "\n")) ?? bytes.count
        let line = bytes[position..<end]
        position = end + 1
        lineNumber += 1
        return Line(number: lineNumber, tokens: line.split(whereSeparator: Self.isWhitespace))
    }

    /// A token as text.
    static func text(_ token: ArraySlice<UInt8>) -> String {
        String(decoding: token, as: UTF8.self)
    }

    /// Space, tab, carriage return, vertical tab or form feed (not the line feed that ends lines).
    private static func isWhitespace(_ byte: UInt8) -> Bool {
        byte == 0x20 || ((0x09...0x0D).contains(byte) && byte != 0x0A)
    }
}
