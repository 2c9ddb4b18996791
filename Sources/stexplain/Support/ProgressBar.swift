import Foundation

/// Progress on standard error: a one-line bar when standard error is a terminal, and for
/// dataset runs (`unit` given) one plain line per tenth of the work when it is a log file.
/// Nothing when `CI` is set, so CI output stays clean.
///
///     epoch 3/10 [██████████░░░░░░░░░░]  52%  loss 0.4312  acc 0.871  38.2 samples/s
///     evaluate [████████░░░░░░░░░░░░░░░░]  33%  12/36 batches  1.8 batches/s  ETA 0:13  gradcam
///
/// Explainers report progress through a `@Sendable` callback; they call it from the thread that
/// runs them, one call at a time, hence `@unchecked Sendable`.
final class ProgressBar: @unchecked Sendable {
    private enum Output { case terminal, log, none }

    private let label: String
    private var total: Int
    private let unit: String?
    private let output: Output
    private let width = 24
    private var lastDraw = Date.distantPast
    private var drawn = false
    private let started = Date()
    private let initial: Int
    private var loggedTenths: Int

    /// `enabled: false` keeps it silent whatever the terminal (`--quiet`). `unit` names what is
    /// counted (rate and ETA are shown); `initial` is the work done before this process started
    /// (a resumed run), which the rate leaves out.
    init(label: String, total: Int = 1, unit: String? = nil, initial: Int = 0, enabled: Bool = true) {
        self.label = label
        self.total = max(total, 1)
        self.unit = unit
        self.initial = initial
        self.loggedTenths = initial * 10 / max(total, 1)
        let quiet = !enabled || ProcessInfo.processInfo.environment["CI"] != nil
        output = quiet ? .none : isatty(STDERR_FILENO) == 1 ? .terminal : unit == nil ? .none : .log
    }

    /// Redraws the bar with a new total.
    func update(_ completed: Int, of total: Int) {
        self.total = max(total, 1)
        update(completed)
    }

    /// Redraws the bar (at most ten times a second, and always on the last step), or logs a line
    /// when another tenth is done.
    func update(_ completed: Int, detail: String = "") {
        let fraction = min(Double(completed) / Double(total), 1)
        switch output {
        case .none:
            return
        case .log:
            let tenths = Int(fraction * 10)
            guard tenths > loggedTenths else { return }
            loggedTenths = tenths
            FileHandle.standardError.write(Data("\(label): \(String(format: "%3.0f", fraction * 100))%\(rate(completed))\n".utf8))
        case .terminal:
            drawn = true
            let now = Date()
            guard completed >= total || now.timeIntervalSince(lastDraw) >= 0.1 else { return }
            lastDraw = now
            let filled = Int(fraction * Double(width))
            let bar = String(repeating: "█", count: filled) + String(repeating: "░", count: width - filled)
            let line = "\r\(label) [\(bar)] \(String(format: "%3.0f", fraction * 100))%\(rate(completed))  \(detail)"
            FileHandle.standardError.write(Data((line + "\u{1B}[K").utf8))
        }
    }

    /// Ends the line so later output starts on a fresh one.
    func finish() {
        guard output == .terminal, drawn else { return }
        FileHandle.standardError.write(Data("\n".utf8))
    }

    /// "  12/36 batches  1.8 batches/s  ETA 0:13" for counted work, "" otherwise.
    private func rate(_ completed: Int) -> String {
        guard let unit else { return "" }
        let elapsed = Date().timeIntervalSince(started)
        let perSecond = elapsed > 0 ? Double(completed - initial) / elapsed : 0
        var text = "  \(completed)/\(total) \(unit)"
        guard perSecond > 0 else { return text }
        text += "  " + String(format: perSecond < 10 ? "%.1f" : "%.0f", perSecond) + " \(unit)/s"
        if completed < total {
            let remaining = Int((Double(total - completed) / perSecond).rounded())
            text += String(format: "  ETA %d:%02d", remaining / 60, remaining % 60)
        }
        return text
    }
}
