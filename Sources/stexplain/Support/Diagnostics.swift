import Foundation
import Logging

/// The command line's diagnostics through swift-log: one line per message on standard error,
/// `warning: …` for warnings and worse, the bare message below that. Commands pick the level:
/// warnings by default, errors only with `--quiet`, everything with `--verbose`.
struct DiagnosticsHandler: LogHandler {
    var logLevel: Logger.Level = .warning
    var metadata: Logger.Metadata = [:]

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let prefix = event.level >= .warning ? "\(event.level == .warning ? "warning" : "error"): " : ""
        FileHandle.standardError.write(Data("\(prefix)\(event.message)\n".utf8))
    }

    /// Sends every `Logger` to this handler (once, before any command runs).
    static func bootstrap() {
        LoggingSystem.bootstrap { _ in DiagnosticsHandler() }
    }
}

extension Logger {
    /// The command line's logger: `.error` with `quiet`, `.debug` with `verbose`, `.warning` otherwise.
    static func stexplain(quiet: Bool, verbose: Bool = false) -> Logger {
        var logger = Logger(label: "stexplain")
        logger.logLevel = quiet ? .error : verbose ? .debug : .warning
        return logger
    }
}
