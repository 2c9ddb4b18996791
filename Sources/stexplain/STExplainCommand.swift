import ArgumentParser
import Foundation
import STCore

@main
struct STExplainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stexplain",
        abstract: "Explain spatio-temporal deep networks.",
        subcommands: [ExplainCommand.self, EvaluateCommand.self, MergeCommand.self, DemoCommand.self, TrainCommand.self, DataCommand.self, ModelsCommand.self, LayersCommand.self, PredictCommand.self, BenchCommand.self])

    /// Runs the command with the project's exit codes: 0 success, 2 bad input or usage (one line on
    /// standard error), 1 internal error.
    static func main() {
        fixAllocatorThreshold()
        DiagnosticsHandler.bootstrap()
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch let stopped as Interruption.Stopped {
            FileHandle.standardError.write(Data("\(stopped.message)\n".utf8))
            Foundation.exit(stopped.exitCode)
        } catch let error as STError {
            FileHandle.standardError.write(Data("error: \(error)\n".utf8))
            Foundation.exit(error.isUserError ? 2 : 1)
        } catch {
            let code = exitCode(for: error)
            guard code != .success else {
                print(fullMessage(for: error))
                Foundation.exit(0)
            }
            let message = Self.oneLine(message(for: error))
            FileHandle.standardError.write(Data("error: \(message)\n".utf8))
            Foundation.exit(code == .validationFailure ? 2 : code.rawValue)
        }
    }
}

extension STExplainCommand {
    /// argument-parser's message on one line: a list of valid values (one per line after
    /// "following:") joined by commas, anything after the first line otherwise dropped.
    static func oneLine(_ message: String) -> String {
        let listed = message.replacingOccurrences(of: "following:\n  - ", with: "following: ")
            .replacingOccurrences(of: "\n  - ", with: ", ")
        return listed.split(separator: "\n").first.map(String.init) ?? message
    }
}

extension STError {
    /// Whether the error is about what the user gave (exit 2) rather than the engine (exit 1).
    var isUserError: Bool {
        switch self {
        case .badInput, .shapeMismatch, .shape, .unsupported, .unknownNode, .invalidRequest: return true
        case .kernel: return false
        }
    }
}
