import Foundation
import STCore

/// Where the `ffmpeg` and `ffprobe` executables are and how long one run of them may take.
///
/// Every video operation of this module runs one of the two executables as a child process
/// (see `FFmpegProcess`). The executables are looked up when a run needs them, in this order:
/// 1. the environment variable `STEXPLAIN_FFMPEG` (for `ffmpeg`) or `STEXPLAIN_FFPROBE` (for
///    `ffprobe`), holding a path — tests point these at `/nonexistent` to see the "not installed"
///    error;
/// 2. the first executable file of that name in a directory of `PATH`.
///
/// The environment is captured when the value is made, so a test can pass its own dictionary
/// instead of changing the process's environment under concurrently running tests.
///
/// ```swift
/// let tools = FFmpegTools(timeoutSeconds: 120)
/// let info = try VideoProbe.probe("clip.mp4", tools: tools)
/// ```
public struct FFmpegTools: Sendable {
    /// The two executables of the ffmpeg distribution this module runs.
    public enum Tool: String, Sendable {
        case ffmpeg
        case ffprobe

        /// The environment variable that overrides the lookup on `PATH`.
        public var environmentVariable: String {
            switch self {
            case .ffmpeg: return "STEXPLAIN_FFMPEG"
            case .ffprobe: return "STEXPLAIN_FFPROBE"
            }
        }
    }

    /// The longest one run may take; a run still going then is stopped (SIGTERM, then SIGKILL)
    /// and reported as an error.
    public var timeoutSeconds: Double

    /// The environment the executables are looked up in.
    public let environment: [String: String]

    /// - Parameters:
    ///   - environment: where `STEXPLAIN_FFMPEG`, `STEXPLAIN_FFPROBE` and `PATH` are read from;
    ///     the process's own environment by default.
    ///   - timeoutSeconds: the time limit of each run (default 60 s).
    public init(environment: [String: String] = ProcessInfo.processInfo.environment, timeoutSeconds: Double = 60) {
        self.environment = environment
        self.timeoutSeconds = timeoutSeconds
    }

    /// The path of `tool`'s executable.
    ///
    /// - Throws: `STError.badInput(file: file, reason: "ffmpeg is not installed; run
    ///   scripts/install-deps.sh")` (naming `ffprobe` for that tool) when the override does not
    ///   name an executable file or no directory of `PATH` holds one.
    public func executable(_ tool: Tool, neededFor file: String) throws -> String {
        let notInstalled = "\(tool.rawValue) is not installed; run scripts/install-deps.sh"
        if let override = environment[tool.environmentVariable] {
            guard Self.isExecutableFile(override) else {
                throw STError.badInput(file: file, reason: "\(notInstalled) (\(tool.environmentVariable)=\(override) is not an executable file)")
            }
            return override
        }
        let searchPath = environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        for directory in searchPath.split(separator: ":") where !directory.isEmpty {
            let candidate = URL(fileURLWithPath: String(directory)).appendingPathComponent(tool.rawValue).path
            if Self.isExecutableFile(candidate) { return candidate }
        }
        throw STError.badInput(file: file, reason: notInstalled)
    }

    /// Runs `tool` with `arguments` under the time limit; `input` chunks, if any, are written to
    /// its standard input in order. `file` names the video in error messages.
    func run(_ tool: Tool, _ arguments: [String], input: [[UInt8]]? = nil, file: String) throws -> FFmpegRun {
        let path = try executable(tool, neededFor: file)
        return try FFmpegProcess.run(path, arguments, input: input, timeoutSeconds: timeoutSeconds, file: file)
    }

    /// A regular file (not a directory) the process may execute.
    private static func isExecutableFile(_ path: String) -> Bool {
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && !isDirectory.boolValue
            && FileManager.default.isExecutableFile(atPath: path)
    }

    /// How ffmpeg and ffprobe must be given a local path: absolute, behind the `file:` protocol
    /// prefix, so that names with a colon or a leading dash are never read as a protocol or an
    /// option.
    static func fileArgument(_ path: String) -> String {
        "file:" + URL(fileURLWithPath: path).standardizedFileURL.path
    }

    /// A number as ffmpeg's option and filter parsers read it: fixed-point with six decimals
    /// (never an exponent, never a locale's decimal comma).
    static func decimal(_ value: Double) -> String {
        String(format: "%.6f", value)
    }
}
