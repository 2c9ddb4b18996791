import Dispatch
import Foundation
import Synchronization

/// SIGINT and SIGTERM as a request to stop between two units of work (a batch, a manifest line)
/// instead of dying in the middle of one: finished work stays on disk, nothing is half written,
/// and the process exits 130 (SIGINT) or 143 (SIGTERM), the shell's 128 + signal number.
///
///     let interruption = Interruption.install()
///     try interruption.run(writingInto: out, existed: existed, progress: progress) {
///         for (done, batch) in batches.enumerated() {
///             try interruption.check(kept: done, of: batches.count, unit: "batches", in: out)
///             …
///         }
///     }
final class Interruption {
    /// The signal that asked to stop, 0 while none did; set from the signal sources' queue.
    private final class Received: Sendable {
        let signal = Atomic<Int32>(0)
    }

    private let received = Received()
    private let sources: [any DispatchSourceSignal]

    /// The error that ends the run; `main` prints `message` and exits with `exitCode`.
    struct Stopped: Error {
        let signal: Int32
        let message: String
        var exitCode: Int32 { 128 + signal }
    }

    private init(signals: [Int32]) {
        var sources: [any DispatchSourceSignal] = []
        for number in signals {
            signal(number, SIG_IGN)
            sources.append(DispatchSource.makeSignalSource(signal: number, queue: .global()))
        }
        self.sources = sources
        for (number, source) in zip(signals, sources) {
            source.setEventHandler { [received] in
                _ = received.signal.compareExchange(expected: 0, desired: number, ordering: .relaxed)
            }
            source.resume()
        }
    }

    /// Starts catching SIGINT and SIGTERM for the rest of the process.
    static func install() -> Interruption {
        Interruption(signals: [SIGINT, SIGTERM])
    }

    /// Throws `Stopped` when a signal asked to stop, saying that `kept` of `total` `unit` are kept
    /// in `out` and how to go on.
    func check(kept: Int, of total: Int, unit: String, in out: String) throws {
        let number = received.signal.load(ordering: .relaxed)
        guard number != 0 else { return }
        let name = number == SIGINT ? "SIGINT" : number == SIGTERM ? "SIGTERM" : "signal \(number)"
        throw Stopped(signal: number, message: "stopped by \(name): \(kept) of \(total) \(unit) kept in \(out); "
                      + "run the same command with --resume to finish")
    }

    /// Runs `body`, the work of a dataset run writing into `out`: a stop by signal ends the
    /// progress line and keeps the finished work for `--resume`; any other error removes `out`
    /// when the run created it (`existed` false), so that a failed run leaves no partial output.
    func run(writingInto out: String, existed: Bool, progress: ProgressBar, _ body: () throws -> Void) throws {
        do {
            try body()
        } catch let stopped as Stopped {
            progress.finish()
            throw stopped
        } catch {
            if !existed { try? FileManager.default.removeItem(atPath: out) }
            throw error
        }
    }
}
