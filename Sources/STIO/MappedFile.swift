import Foundation
import STCore

/// Reading input files whole, for the decoders of this module.
enum MappedFile {
    /// The contents of the file at `path`, memory-mapped; `STError.badInput` naming `path` if it
    /// is missing, a directory or unreadable.
    static func contents(of path: String) throws -> Data {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw STError.badInput(file: path, reason: "no such file")
        }
        guard !isDirectory.boolValue else { throw STError.badInput(file: path, reason: "is a directory, not a file") }
        do {
            return try Data(contentsOf: URL(fileURLWithPath: path), options: .alwaysMapped)
        } catch {
            throw STError.badInput(file: path, reason: "cannot read the file")
        }
    }
}
