import Foundation
import STCore
import STIO

/// Writes a command's output files into a directory, each atomically (a temporary name, then a
/// rename), and only after everything was computed — a failed run leaves no partial output.
enum OutputDirectory {
    static func write(_ directory: String, files: [String: Data]) throws {
        var isDirectory: ObjCBool = false
        let existed = FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory)
        if existed && !isDirectory.boolValue {
            throw STError.badInput(file: directory, reason: "exists and is not a directory")
        }
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw STError.badInput(file: directory, reason: "cannot create the output directory")
        }
        do {
            for (name, data) in files.sorted(by: { $0.key < $1.key }) {
                let path = "\(directory)/\(name)"
                if name.contains("/") {
                    try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent,
                                                            withIntermediateDirectories: true)
                }
                try AtomicFileWriter.write(data, to: path)
            }
        } catch {
            if !existed { try? FileManager.default.removeItem(atPath: directory) }
            throw error
        }
    }

    /// Writes `files` into the folder `staging` and then renames it to `directory`, replacing what
    /// was there: a reader (or a resumed run) finds the old folder, none, or the complete new one.
    /// `staging` must be on the same file system (beside `directory` or in its parent's tree).
    static func replace(_ directory: String, files: [String: Data], staging: String) throws {
        let manager = FileManager.default
        try? manager.removeItem(atPath: staging)
        try write(staging, files: files)
        try? manager.removeItem(atPath: directory)
        guard rename(staging, directory) == 0 else {
            try? manager.removeItem(atPath: staging)
            throw STError.badInput(file: directory, reason: "cannot rename \(staging) to it: \(String(cString: strerror(errno)))")
        }
    }
}
