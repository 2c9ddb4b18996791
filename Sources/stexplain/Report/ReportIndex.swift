import Foundation
import STExplain
import STRender

/// `index.html` over several reports (a manifest run, the demo): one row per report with its
/// prediction and the methods' targets, each linking to `DIRECTORY/report.html`.
struct ReportIndex {
    /// One row: what the table shows of a report, kept without the maps so an index over a whole
    /// dataset stays small.
    struct Entry: Codable {
        /// The report's folder, relative to the index.
        let directory: String
        let title: String
        var label: Int? = nil
        /// The first sample's top class and its probability, "–" for regressors.
        let prediction: String
        let methods: [String]
        let target: String
        var report = "report.html"

        init(directory: String, title: String, explanations: [Explanation], label: Int? = nil) {
            self.directory = directory
            self.title = title
            self.label = label
            let first = explanations.first
            prediction = first?.topK.first?.first.map { "\($0.class) (p = \(String(format: "%.2f", $0.probability)))" } ?? "–"
            methods = explanations.map(\.method.rawValue)
            target = first?.targetDescription ?? "–"
        }
    }

    let title: String
    let entries: [Entry]
    /// HTML placed above the table (the demo's introduction).
    var preamble = ""

    var html: String {
        let rows = entries.map { entry -> String in
            let cells = [entry.label.map(String.init) ?? "–", entry.prediction, entry.methods.joined(separator: ", "), entry.target]
            let link = "<a href=\"\(MarkupText.escaped("\(entry.directory)/\(entry.report)"))\">\(MarkupText.escaped(entry.title))</a>"
            return "<tr><td>\(link)</td>" + cells.map { "<td>\(MarkupText.escaped($0))</td>" }.joined() + "</tr>"
        }
        let table = "<table><thead><tr>" + ["report", "label", "prediction", "methods", "target"].map { "<th>\($0)</th>" }.joined()
            + "</tr></thead><tbody>" + rows.joined() + "</tbody></table>\n"
        return HTML.page(title: title, body: preamble + table)
    }

    /// A folder name for `path`'s output: the file name without its extension, made safe, with
    /// `-2`, `-3`, … when `taken` already has it.
    static func directoryName(for path: String, taken: Set<String>) -> String {
        let stem = ((path as NSString).lastPathComponent as NSString).deletingPathExtension
        let safe = String(stem.map { $0.isLetter || $0.isNumber || "-_.".contains($0) ? $0 : "_" })
        let base = safe.isEmpty || safe.hasPrefix(".") ? "input" + safe : safe
        var name = base, number = 2
        while taken.contains(name) {
            name = "\(base)-\(number)"
            number += 1
        }
        return name
    }
}
