import Foundation
import STMetrics
import STRender

/// The SVG charts `stexplain evaluate` writes beside its tables: masking curves (accuracy against
/// the masked percentage, one line per method and side, seed 000), mean deletion and insertion
/// curves, and per-method bars of the metrics that live in [0, 1].
enum EvaluationPlots {
    static func files(_ report: EvaluationReport) throws -> [String: Data] {
        var files: [String: Data] = [:]
        let masked = report.methods.filter { !$0.masking.isEmpty }
        if !masked.isEmpty {
            let series = masked.flatMap { result in
                MaskingSide.allCases.map { side in
                    let points = result.masking.filter { $0.side == side.rawValue }
                    return LineChart.Series(name: "\(result.method) \(side.rawValue)",
                                            x: [0] + points.map { $0.fraction * 100 },
                                            y: [(result.accuracy ?? 0) * 100] + points.map { $0.accuracy * 100 })
                }
            }
            var chart = LineChart(title: "Masking faithfulness", xLabel: "masked positions (%)", yLabel: "accuracy (%)", series: series)
            chart.yRange = 0...100
            files["masking.svg"] = Data(try chart.svg().utf8)
        }
        for (name, curve) in [("deletion", \EvaluationReport.MethodResult.deletionCurve), ("insertion", \.insertionCurve)] {
            let series = report.methods.compactMap { result in
                result[keyPath: curve].map { values in
                    LineChart.Series(name: result.method, x: values.indices.map { Double($0) * 100 / Double(max(values.count - 1, 1)) }, y: values)
                }
            }
            guard !series.isEmpty else { continue }
            var chart = LineChart(title: "\(name.capitalized) curves", xLabel: "\(name == "deletion" ? "deleted" : "inserted") positions (%)",
                                  yLabel: "probability of the class", series: series)
            chart.yRange = 0...1
            chart.showsMarkers = false
            files["\(name).svg"] = Data(try chart.svg().utf8)
        }
        let metrics: [(String, (EvaluationReport.MethodResult) -> Double?)] = [
            ("deletion AUC", \.deletionAUC), ("insertion AUC", \.insertionAUC), ("pointing game", \.pointingGame),
            ("relevance mass", \.relevanceMass), ("relevance rank", \.relevanceRank), ("Otsu IoU", \.otsuIoU),
        ]
        let measured = metrics.filter { metric in report.methods.contains { metric.1($0) != nil } }
        if !measured.isEmpty {
            var chart = BarChart(title: "Methods", yLabel: "score", categories: report.methods.map(\.method),
                                 series: measured.map { metric in
                                     BarChart.Series(name: metric.0, values: report.methods.map { metric.1($0) ?? .nan })
                                 })
            chart.yRange = 0...1
            chart.width = Double(max(720, 90 * report.methods.count * max(1, measured.count / 2)))
            chart.showsValueLabels = report.methods.count * measured.count <= 12
            files["metrics.svg"] = Data(try chart.svg().utf8)
        }
        return files
    }
}
