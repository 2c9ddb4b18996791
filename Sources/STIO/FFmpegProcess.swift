import Foundation
import STCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What one finished run of `ffmpeg` or `ffprobe` left: its exit status and everything it wrote.
struct FFmpegRun {
    /// The exit status, or the signal number when `killedBySignal`.
    let status: Int32
    /// Whether a signal ended the process.
    let killedBySignal: Bool
    /// Everything written to standard output.
    let output: Data
    /// Everything written to standard error.
    let errorOutput: Data

    /// Whether the process exited with status 0.
    var succeeded: Bool { !killedBySignal && status == 0 }

    /// The first non-empty line of standard error, made readable beside a message that already
    /// names the file: ffmpeg's context prefix (`[mov,mp4,m4a,3gp,3g2,mj2 @ 0x55d…] `) and a
    /// leading `file:/path: ` are removed. `nil` when standard error is empty.
    var firstErrorLine: String? {
        let text = String(decoding: errorOutput, as: UTF8.self)
        guard var line = text.split(whereSeparator: \.isNewline).map({ $0.trimmingCharacters(in: .whitespaces) })
            .first(where: { !$0.isEmpty }) else { return nil }
        if line.hasPrefix("["), let close = line.firstIndex(of: "]"), line[..<close].contains(" @ ") {
            line = line[line.index(after: close)...].trimmingCharacters(in: .whitespaces)
        }
        if line.hasPrefix("file:"), let separator = line.range(of: ": ") {
            line = String(line[separator.upperBound...])
        }
        return line
    }

    /// A one-line reason for a failed run: `"<tool> failed: <first error line>"`.
    func failureReason(_ tool: FFmpegTools.Tool) -> String {
        let detail = firstErrorLine
            ?? (killedBySignal ? "killed by signal \(status)" : "exit status \(status), no message")
        return "\(tool.rawValue) failed: \(detail)"
    }
}

/// Runs an executable as a child process with a time limit, capturing its output.
///
/// - Standard output and standard error are each drained by a dedicated thread while the child
///   runs, so a child writing more than a pipe buffer (64 KiB) never blocks on a full pipe.
/// - Standard input is `/dev/null`, or, when `input` is given, one end of a Unix socket pair that
///   a third thread fills with the chunks and then closes (end of file for the child). A socket
///   rather than a pipe because writes to it can be told not to raise SIGPIPE
///   (`MSG_NOSIGNAL`/`SO_NOSIGPIPE`) when the child exits before reading everything — a pipe
///   would kill this process unless SIGPIPE were ignored process-wide.
/// - After `timeoutSeconds` the child gets SIGTERM, and SIGKILL 2 s later if it is still there.
enum FFmpegProcess {
    /// Grace period between SIGTERM and SIGKILL, and the bound on every wait after the child ended.
    static let graceSeconds = 2.0

    /// Runs `executable` with `arguments` and returns its status and output.
    ///
    /// - Throws: `STError.badInput(file: file, reason:)` when the executable cannot be started,
    ///   or when it did not finish within `timeoutSeconds` (it is then stopped).
    static func run(_ executable: String, _ arguments: [String], input: [[UInt8]]? = nil,
                    timeoutSeconds: Double, file: String) throws -> FFmpegRun {
        let name = URL(fileURLWithPath: executable).lastPathComponent
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let outputPipe = Pipe(), errorPipe = Pipe()
        process.standardOutput = outputPipe
        process.standardError = errorPipe
        let feeder = try input.map { try InputFeeder(chunks: $0, file: file) }
        process.standardInput = feeder?.childEnd ?? FileHandle.nullDevice
        let exited = DispatchSemaphore(value: 0)
        process.terminationHandler = { _ in exited.signal() }
        do {
            try process.run()
        } catch {
            feeder?.abandon()
            throw STError.badInput(file: file, reason: "cannot run \(executable): \(error.localizedDescription)")
        }
        feeder?.start()
        let output = BackgroundReader(outputPipe.fileHandleForReading)
        let errors = BackgroundReader(errorPipe.fileHandleForReading)

        var timedOut = false
        if exited.wait(timeout: .now() + timeoutSeconds) == .timedOut {
            timedOut = true
            process.terminate()
            if exited.wait(timeout: .now() + graceSeconds) == .timedOut {
                kill(process.processIdentifier, SIGKILL)
                _ = exited.wait(timeout: .now() + graceSeconds)
            }
        }
        let outputData = output.result(waitingAtMost: graceSeconds)
        let errorData = errors.result(waitingAtMost: graceSeconds)
        feeder?.finish(waitingAtMost: graceSeconds)
        if timedOut {
            throw STError.badInput(file: file, reason: "\(name) did not finish within \(formatSeconds(timeoutSeconds)) s and was stopped")
        }
        guard let outputData, let errorData else {
            throw STError.badInput(file: file, reason: "\(name) exited but its output did not close")
        }
        return FFmpegRun(status: process.terminationStatus, killedBySignal: process.terminationReason == .uncaughtSignal,
                         output: outputData, errorOutput: errorData)
    }

    /// Seconds for a message: no fraction when whole (`60`, `0.5`).
    static func formatSeconds(_ seconds: Double) -> String {
        seconds == seconds.rounded() ? String(Int(seconds)) : String(seconds)
    }
}

/// Reads a file handle to its end on a dedicated thread (not a shared pool that blocking reads
/// could exhaust).
private final class BackgroundReader: @unchecked Sendable {
    private let finished = DispatchSemaphore(value: 0)
    /// Written once by the reading thread before `finished` is signalled, read only after.
    private var data = Data()

    init(_ handle: FileHandle) {
        Thread { [self] in
            data = handle.readDataToEndOfFile()
            finished.signal()
        }.start()
    }

    /// Everything read, or `nil` if end of file did not come within `seconds`.
    func result(waitingAtMost seconds: Double) -> Data? {
        finished.wait(timeout: .now() + seconds) == .success ? data : nil
    }
}

/// Feeds chunks of bytes to a child's standard input through a Unix socket pair, on a
/// dedicated thread, without SIGPIPE if the child stops reading.
private final class InputFeeder: @unchecked Sendable {
    /// The end given to the child as its standard input.
    let childEnd: FileHandle
    private let parentDescriptor: Int32
    private let childDescriptor: Int32
    private let chunks: [[UInt8]]
    private let finished = DispatchSemaphore(value: 0)

    init(chunks: [[UInt8]], file: String) throws {
        var descriptors: [Int32] = [-1, -1]
        #if os(Linux)
        let type = Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue)
        #else
        let type = SOCK_STREAM
        #endif
        guard socketpair(AF_UNIX, type, 0, &descriptors) == 0 else {
            throw STError.badInput(file: file, reason: "cannot create a socket pair: \(String(cString: strerror(errno)))")
        }
        #if !os(Linux)
        var on: Int32 = 1
        setsockopt(descriptors[0], SOL_SOCKET, SO_NOSIGPIPE, &on, socklen_t(MemoryLayout<Int32>.size))
        _ = fcntl(descriptors[0], F_SETFD, FD_CLOEXEC)
        _ = fcntl(descriptors[1], F_SETFD, FD_CLOEXEC)
        #endif
        parentDescriptor = descriptors[0]
        childDescriptor = descriptors[1]
        childEnd = FileHandle(fileDescriptor: descriptors[1], closeOnDealloc: false)
        self.chunks = chunks
    }

    /// After the child started: closes this process's copy of the child's end (so the child's
    /// exit is seen as a broken connection) and starts writing.
    func start() {
        close(childDescriptor)
        Thread { [self] in
            writeAll()
            close(parentDescriptor)
            finished.signal()
        }.start()
    }

    /// When the child could not be started: closes both ends.
    func abandon() {
        close(childDescriptor)
        close(parentDescriptor)
    }

    /// Waits for the writing thread (it ends once the child has exited, at the latest).
    func finish(waitingAtMost seconds: Double) {
        _ = finished.wait(timeout: .now() + seconds)
    }

    /// Writes every chunk, stopping at the first error (the child closed its input or exited).
    private func writeAll() {
        #if os(Linux)
        let flags = Int32(MSG_NOSIGNAL)
        #else
        let flags: Int32 = 0
        #endif
        for chunk in chunks {
            let complete = chunk.withUnsafeBytes { bytes -> Bool in
                guard let base = bytes.baseAddress else { return true }
                var written = 0
                while written < bytes.count {
                    let result = send(parentDescriptor, base + written, bytes.count - written, flags)
                    if result < 0 {
                        if errno == EINTR { continue }
                        return false
                    }
                    written += result
                }
                return true
            }
            if !complete { return }
        }
    }
}
