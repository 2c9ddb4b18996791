import STRender

/// `index.html` of the demo: every report, grouped by model family, with what each shows.
struct DemoIndex {
    let sections: [(title: String, reports: [DemoRuns.Report])]
    let evaluations: [DemoRuns.Report]

    var html: String {
        var body = "<p>The demo models (trained by <code>make models</code> on the project's synthetic datasets) explained "
            + "on held-out samples. Each link opens one run's report; its folder also holds the raw maps "
            + "(<code>map.npy</code>, <code>attribution.npy</code>) and <code>summary.json</code>.</p>\n"
        for (title, reports) in sections + [("Evaluations", evaluations)] {
            body += "<h2>\(MarkupText.escaped(title))</h2>\n<ul>\n"
            for report in reports {
                body += "<li><a href=\"\(MarkupText.escaped(report.directory))/report.html\">\(MarkupText.escaped(report.title))</a>: "
                    + "\(MarkupText.escaped(report.shows))</li>\n"
            }
            body += "</ul>\n"
        }
        return HTML.page(title: "STExplain demo", body: body)
    }
}
