import Foundation
import STCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes a file so that readers only ever see the old contents or the complete new ones.
///
/// The bytes go to a temporary file `<dir>/.<name>.tmp-<pid>` in the destination's own directory
/// (so the final step stays on one file system), optionally `fsync`ed, and the temporary file is
/// then renamed over `<dir>/<name>` — `rename(2)` replaces the destination atomically. If anything
/// fails, including the caller's own code producing the bytes, the temporary file is removed and
/// the destination is left untouched.
///
/// Errors are `STError.badInput(file: destination, reason:)` with the system's reason on one line;
/// an error thrown by the caller's body is rethrown as it is.
///
/// ```swift
/// try AtomicFileWriter.write(to: "out/map.npy") { output in
///     try output.write(header)
///     try output.write(body)
/// }
/// ```
///
/// Two writers of the same destination in one process share the temporary name; callers that
/// write concurrently must target different files.
public enum AtomicFileWriter {
    /// The open temporary file a `write(to:synchronize:_:)` body appends bytes to.
    public struct Output {
        fileprivate let descriptor: Int32
        /// The final path, for error messages.
        public let destination: String

        /// Appends `bytes`, retrying after interruptions and short writes.
        public func write(_ bytes: UnsafeRawBufferPointer) throws {
            guard let base = bytes.baseAddress else { return }
            var written = 0
            while written < bytes.count {
                let result = systemWrite(descriptor, base + written, bytes.count - written)
                if result < 0 {
                    if errno == EINTR { continue }
                    throw AtomicFileWriter.failure(destination, "cannot write")
                }
                written += result
            }
        }

        /// Appends the bytes of `data`.
        public func write(_ data: Data) throws {
            try data.withUnsafeBytes { try write($0) }
        }

        /// Appends the bytes of `bytes`.
        public func write(_ bytes: [UInt8]) throws {
            try bytes.withUnsafeBytes { try write($0) }
        }
    }

    /// The temporary name used while writing `path`: `<dir>/.<name>.tmp-<pid>`.
    public static func temporaryPath(for path: String) -> String {
        let url = URL(fileURLWithPath: path)
        return url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).tmp-\(getpid())").path
    }

    /// Writes `data` to `path` atomically (see the type's description).
    public static func write(_ data: Data, to path: String, synchronize: Bool = false) throws {
        try write(to: path, synchronize: synchronize) { try $0.write(data) }
    }

    /// Creates the temporary file, lets `body` stream bytes into it, flushes it to disk when
    /// `synchronize` is set, and renames it to `path`. On any error the temporary file is removed.
    public static func write(to path: String, synchronize: Bool = false, _ body: (Output) throws -> Void) throws {
        let temporary = temporaryPath(for: path)
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw failure(path, "cannot create temporary file \(temporary)") }
        var isOpen = true
        do {
            try body(Output(descriptor: descriptor, destination: path))
            if synchronize, fsync(descriptor) != 0 { throw failure(path, "cannot flush \(temporary) to disk") }
            isOpen = false
            if close(descriptor) != 0 { throw failure(path, "cannot close \(temporary)") }
            if rename(temporary, path) != 0 { throw failure(path, "cannot rename \(temporary) to the destination") }
        } catch {
            if isOpen { close(descriptor) }
            unlink(temporary)
            throw error
        }
    }

    /// A one-line error naming the destination, the failed step and the system's reason (`errno`).
    fileprivate static func failure(_ path: String, _ step: String) -> STError {
        .badInput(file: path, reason: "\(step): \(String(cString: strerror(errno)))")
    }
}

/// `write(2)`, named apart from `Output.write` so calls inside it resolve to the system call.
private func systemWrite(_ descriptor: Int32, _ bytes: UnsafeRawPointer, _ count: Int) -> Int {
    #if canImport(Glibc)
    Glibc.write(descriptor, bytes, count)
    #else
    Darwin.write(descriptor, bytes, count)
    #endif
}
