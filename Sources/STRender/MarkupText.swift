/// Text for SVG and HTML files.
public enum MarkupText {
    /// `text` safe in element content and quoted attributes of XML (SVG) and HTML: `& < > " '` as
    /// entities, and the control characters XML 1.0 forbids (below U+0020 other than tab, newline
    /// and return) dropped.
    public static func escaped(_ text: String) -> String {
        var escaped = ""
        escaped.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": escaped += "&amp;"
            case "<": escaped += "&lt;"
            case ">": escaped += "&gt;"
            case "\"": escaped += "&quot;"
            case "'": escaped += "&#39;"
            case "\t", "\n", "\r": escaped.unicodeScalars.append(scalar)
            case _ where scalar.value < 0x20: continue
            default: escaped.unicodeScalars.append(scalar)
            }
        }
        return escaped
    }
}
