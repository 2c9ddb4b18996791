import Foundation

/// The member names of a JSON object and of the objects directly inside it, in document order and
/// with repeats — what the dictionaries `JSONSerialization` returns cannot show (a name given
/// twice keeps one value). Reads only the structure of text that `JSONSerialization` has already
/// accepted: brackets, and the strings followed by a colon.
enum JSONMemberNames {
    /// One member of the top-level object: its name and, when its value is an object, the names of
    /// that object's members.
    struct Member: Equatable {
        let name: String
        var fields: [String]
    }

    /// The top-level object's members; empty when the text is not an object.
    static func members(of text: [UInt8]) -> [Member] {
        var members: [Member] = []
        var openObjects: [Bool] = []  // one entry per open bracket: true for `{`, false for `[`
        var index = 0
        while index < text.count {
            switch text[index] {
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                openObjects.append(text[index] == UInt8(ascii: "{"))
                index += 1
            case UInt8(ascii: "}"), UInt8(ascii: "]"):
                _ = openObjects.popLast()
                index += 1
            case UInt8(ascii: "\""):
                let literal = stringLiteral(in: text, from: index)
                index = literal.upperBound
                guard isFollowedByColon(text, at: index) else { continue }
                let name = decoded(text[literal])
                if openObjects == [true] {
                    members.append(Member(name: name, fields: []))
                } else if openObjects == [true, true], !members.isEmpty {
                    members[members.count - 1].fields.append(name)
                }
            default:
                index += 1
            }
        }
        return members
    }

    /// The string literal starting at the quote at `start`, quotes included.
    private static func stringLiteral(in text: [UInt8], from start: Int) -> Range<Int> {
        var index = start + 1
        while index < text.count && text[index] != UInt8(ascii: "\"") {
            index += text[index] == UInt8(ascii: "\\") ? 2 : 1
        }
        return start..<min(index + 1, text.count)
    }

    /// Whether the next byte after JSON whitespace is a colon, i.e. the string before is a name.
    private static func isFollowedByColon(_ text: [UInt8], at start: Int) -> Bool {
        var index = start
        while index < text.count && [0x20, 0x09, 0x0a, 0x0d].contains(text[index]) { index += 1 }
        return index < text.count && text[index] == UInt8(ascii: ":")
    }

    /// The text of a string literal; escapes (rare in names) are decoded by `JSONSerialization`.
    private static func decoded(_ literal: ArraySlice<UInt8>) -> String {
        guard literal.contains(UInt8(ascii: "\\")) else {
            return String(decoding: literal.dropFirst().dropLast(), as: UTF8.self)
        }
        let value = try? JSONSerialization.jsonObject(with: Data(literal), options: .fragmentsAllowed)
        return value as? String ?? String(decoding: literal.dropFirst().dropLast(), as: UTF8.self)
    }
}
