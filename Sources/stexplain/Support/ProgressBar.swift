import Foundation

/// A one-line progress bar on standard error, drawn only when standard error is a terminal and
/// `CI` is not set, so logs and CI output stay clean.
///
///     epoch 3/10 [██████████░░░░░░░░░░]  52%  loss 0.4312  acc 0.871  38.2 samples/s
///
/// Explainers report progress through a `@Sendable` callback; they call it from the thread that
/// runs them, one call at a time, hence `@unchecked Sendable`.
final class ProgressBar: @unchecked Sendable {
    private let label: String
    private var total: Int
    private let enabled: Bool
    private let width = 24
    private var lastDraw = Date.distantPast
    private var drawn = false

    /// `enabled: false` keeps it silent whatever the terminal (`--quiet`).
    init(label: String, total: Int = 1, enabled: Bool = true) {
        self.label = label
        self.total = max(total, 1)
        self.enabled = enabled && isatty(STDERR_FILENO) == 1 && ProcessInfo.processInfo.environment["CI"] == nil
    }

    /// Redraws the bar with a new total.
    func update(_ completed: Int, of total: Int) {
        self.total = max(total, 1)
        update(completed)
    }

    /// Redraws the bar (at most ten times a second, and always on the last step).
    func update(_ completed: Int, detail: String = "") {
        guard enabled else { return }
        drawn = true
        let now = Date()
        guard completed >= total || now.timeIntervalSince(lastDraw) >= 0.1 else { return }
        lastDraw = now
        let fraction = min(Double(completed) / Double(total), 1)
        let filled = Int(fraction * Double(width))
        let bar = String(repeating: "█", count: filled) + String(repeating: "░", count: width - filled)
        let line = "\r\(label) [\(bar)] \(String(format: "%3.0f", fraction * 100))%  \(detail)"
        FileHandle.standardError.write(Data((line + "\u{1B}[K").utf8))
    }

    /// Ends the line so later output starts on a fresh one.
    func finish() {
        guard enabled, drawn else { return }
        FileHandle.standardError.write(Data("\n".utf8))
    }
}
