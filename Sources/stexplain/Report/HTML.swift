import Foundation
import STRender

/// The pieces every page of a report is built from: tables, images and the page frame with its
/// style sheet. Pages are self-contained: no fonts, scripts or styles from the network.
enum HTML {
    /// A table with a header row; cells are escaped.
    static func table(_ header: [String], _ rows: [[String]], caption: String? = nil) -> String {
        var html = "<table>"
        if let caption { html += "<caption>\(MarkupText.escaped(caption))</caption>" }
        html += "<thead><tr>" + header.map { "<th>\(MarkupText.escaped($0))</th>" }.joined() + "</tr></thead><tbody>"
        for row in rows { html += "<tr>" + row.map { "<td>\(MarkupText.escaped($0))</td>" }.joined() + "</tr>" }
        return html + "</tbody></table>\n"
    }

    /// An image beside the page; with `frames`, the report's slider swaps in `FRAMES/NNNN.png`.
    static func image(_ path: String, alt: String, cssClass: String? = nil, frames: String? = nil) -> String {
        "<img" + (frames.map { " data-frames=\"\(MarkupText.escaped($0))\"" } ?? "") + " src=\"\(MarkupText.escaped(path))\" alt=\"\(MarkupText.escaped(alt))\""
            + (cssClass.map { " class=\"\($0)\"" } ?? "") + ">"
    }

    /// A whole page: title, style sheet, body and an optional script at the end.
    static func page(title: String, body: String, script: String? = nil) -> String {
        """
        <!DOCTYPE html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>\(MarkupText.escaped(title))</title>
        <style>\(styleSheet)</style>
        </head>
        <body>
        <h1>\(MarkupText.escaped(title))</h1>
        \(body)
        \(script.map { "<script>\n\($0)\n</script>" } ?? "")
        </body>
        </html>

        """
    }

    static let styleSheet = """
        body{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;margin:1.5em auto;max-width:72em;padding:0 1em;color:#222;background:#fff}
        h1{font-size:1.5em}h2{font-size:1.2em;margin-top:1.6em;border-bottom:1px solid #ddd}h3{font-size:1.05em}
        table{border-collapse:collapse;margin:.6em 0;display:block;overflow-x:auto;max-width:100%}th,td{border:1px solid #ccc;padding:.25em .6em;text-align:right}
        th:first-child,td:first-child{text-align:left}caption{text-align:left;font-weight:600;padding:.3em 0}
        .facts td,.facts th{text-align:left}.row{display:flex;flex-wrap:wrap;gap:1em;align-items:flex-start}
        .pixel{image-rendering:pixelated}.frame{height:224px}.chart{max-width:100%}
        .player{display:flex;align-items:center;gap:.6em;margin:.6em 0;padding:.4em 0;position:sticky;top:0;background:#fff;z-index:1;border-bottom:1px solid #eee}.player input{width:24em}
        figure{margin:0}figcaption{font-size:.9em;color:#555}
        a{color:#1a5fb4}
        """
}
