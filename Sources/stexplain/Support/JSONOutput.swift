import Foundation

/// The project's JSON style for files and `--json` output: pretty-printed, keys sorted.
enum JSONOutput {
    static func encode(_ value: some Encodable) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(value)
    }

    static func print(_ value: some Encodable) throws {
        Swift.print(String(decoding: try encode(value), as: UTF8.self))
    }
}
