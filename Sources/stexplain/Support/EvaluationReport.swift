import Foundation
import STMetrics
import STRender

/// What `stexplain evaluate` writes: `metrics.json` (this value, plus the raw sums for
/// `stexplain merge`), `metrics.csv` (one `method,metric,value` row per number) and `metrics.md`
/// (seed 000's masking table and the methods × metrics table).
struct EvaluationReport: Encodable {
    struct MaskingPoint: Encodable {
        let side: String
        let fraction: Double
        let accuracy: Double
    }

    struct RandomisationPoint: Encodable {
        let layer: String
        let spearman: Double
        let ssim: Double?
    }

    struct MethodResult: Encodable {
        let method: String
        let samples: Int
        let accuracy: Double?
        let masking: [MaskingPoint]
        let betaImportant: Double?
        let betaNonImportant: Double?
        let deletionAUC: Double?
        let insertionAUC: Double?
        let deletionCurve: [Double]?
        let insertionCurve: [Double]?
        let pointingGame: Double?
        let relevanceMass: Double?
        let relevanceRank: Double?
        let topKIntersection: Double?
        let otsuIoU: Double?
        let randomisation: [RandomisationPoint]
        let maxSensitivity: Double?
        let explanationSecondsPerSample: Double?
        let maskedInputsPerSecond: Double?

        enum CodingKeys: String, CodingKey {
            case method, samples, accuracy, masking, randomisation
            case betaImportant = "beta_important", betaNonImportant = "beta_non_important"
            case deletionAUC = "deletion_auc", insertionAUC = "insertion_auc"
            case deletionCurve = "deletion_curve", insertionCurve = "insertion_curve"
            case pointingGame = "pointing_game", relevanceMass = "relevance_mass", relevanceRank = "relevance_rank"
            case topKIntersection = "top_k_intersection", otsuIoU = "otsu_iou", maxSensitivity = "max_sensitivity"
            case explanationSecondsPerSample = "explanation_seconds_per_sample"
            case maskedInputsPerSecond = "masked_inputs_per_second"
        }

        init(_ scores: MethodScores, fractions: [Double]) throws {
            method = scores.method
            samples = scores.samples
            accuracy = scores.accuracy
            masking = MaskingSide.allCases.flatMap { side in
                fractions.compactMap { fraction in
                    scores.maskedAccuracy(side, fraction: fraction).map { MaskingPoint(side: side.rawValue, fraction: fraction, accuracy: $0) }
                }
            }
            betaImportant = try scores.beta(.important, fractions: fractions)
            betaNonImportant = try scores.beta(.nonImportant, fractions: fractions)
            deletionAUC = scores.mean(Metric.deletion.rawValue)
            insertionAUC = scores.mean(Metric.insertion.rawValue)
            deletionCurve = scores.meanCurve(Metric.deletion.rawValue)
            insertionCurve = scores.meanCurve(Metric.insertion.rawValue)
            pointingGame = scores.mean(Metric.pointingGame.rawValue)
            relevanceMass = scores.mean(Metric.relevanceMass.rawValue)
            relevanceRank = scores.mean(Metric.relevanceRank.rawValue)
            topKIntersection = scores.mean(Metric.topKIntersection.rawValue)
            otsuIoU = scores.mean(Metric.otsuIoU.rawValue)
            randomisation = scores.randomisation.filter { $0.samples > 0 }.map { step in
                RandomisationPoint(layer: step.layer, spearman: step.spearmanSum / Double(step.samples),
                                   ssim: step.ssimSum == 0 ? nil : step.ssimSum / Double(step.samples))
            }
            maxSensitivity = scores.mean(Metric.sensitivity.rawValue)
            explanationSecondsPerSample = scores.samples > 0 ? scores.explanationSeconds / Double(scores.samples) : nil
            maskedInputsPerSecond = scores.maskingSeconds > 0 ? Double(scores.maskedInputs) / scores.maskingSeconds : nil
        }
    }

    let model: String
    let data: String
    let unit: String
    let baseline: String
    let fractions: [Double]
    let methods: [MethodResult]
    /// The raw running sums, which `stexplain merge` adds across shards.
    let scores: [MethodScores]

    init(model: String, data: String, unit: String, baseline: String, fractions: [Double], scores: [MethodScores]) throws {
        self.model = model
        self.data = data
        self.unit = unit
        self.baseline = baseline
        self.fractions = fractions
        self.scores = scores
        methods = try scores.map { try MethodResult($0, fractions: fractions) }
    }

    /// Every output file: the tables and the charts.
    func files() throws -> [String: Data] {
        var files = try EvaluationPlots.files(self)
        files["report.html"] = Data(html(charts: files.keys.sorted()).utf8)
        files["metrics.json"] = try JSONOutput.encode(self) + Data("\n".utf8)
        files["metrics.csv"] = Data(csv.utf8)
        files["metrics.md"] = Data(markdown.utf8)
        return files
    }

    /// `method,metric,value` rows, every number of the report once.
    var csv: String {
        var lines = ["method,metric,value"]
        for result in methods {
            func row(_ metric: String, _ value: Double?) {
                if let value { lines.append("\(result.method),\(metric),\(value)") }
            }
            row("accuracy", result.accuracy)
            for point in result.masking { row("masking_\(point.side)_\(Self.percent(point.fraction))", point.accuracy) }
            row("beta_important", result.betaImportant)
            row("beta_non_important", result.betaNonImportant)
            row("deletion_auc", result.deletionAUC)
            row("insertion_auc", result.insertionAUC)
            row("pointing_game", result.pointingGame)
            row("relevance_mass", result.relevanceMass)
            row("relevance_rank", result.relevanceRank)
            row("top_k_intersection", result.topKIntersection)
            row("otsu_iou", result.otsuIoU)
            for point in result.randomisation {
                row("randomisation_spearman_\(point.layer)", point.spearman)
                row("randomisation_ssim_\(point.layer)", point.ssim)
            }
            row("max_sensitivity", result.maxSensitivity)
            row("explanation_seconds_per_sample", result.explanationSecondsPerSample)
            row("masked_inputs_per_second", result.maskedInputsPerSecond)
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// A titled table of the report.
    struct Table {
        let title: String
        let header: [String]
        let rows: [[String]]
    }

    /// Seed 000's table (accuracy in % with no masking and with the important / non-important
    /// fractions masked, and β) and one row per method of the other metrics.
    var tables: [Table] {
        var tables: [Table] = []
        if methods.contains(where: { !$0.masking.isEmpty }) {
            let header = ["method", "no masking"] + MaskingSide.allCases.flatMap { side in
                fractions.map { "\(side == .important ? "important" : "non-important") \(Self.percent($0)) %" }
            } + ["β important", "β non-important"]
            let rows = methods.map { result in
                [result.method, Self.format(result.accuracy.map { $0 * 100 }, digits: 2)]
                    + MaskingSide.allCases.flatMap { side in
                        fractions.map { fraction in
                            Self.format(result.masking.first { $0.side == side.rawValue && $0.fraction == fraction }.map { $0.accuracy * 100 }, digits: 2)
                        }
                    }
                    + [Self.format(result.betaImportant), Self.format(result.betaNonImportant)]
            }
            tables.append(Table(title: "Masking faithfulness (seed 000): accuracy (%) after masking", header: header, rows: rows))
        }
        let columns: [(String, (MethodResult) -> Double?)] = [
            ("deletion AUC ↓", \.deletionAUC), ("insertion AUC ↑", \.insertionAUC), ("pointing game ↑", \.pointingGame),
            ("relevance mass ↑", \.relevanceMass), ("relevance rank ↑", \.relevanceRank), ("top-k ∩ ↑", \.topKIntersection),
            ("Otsu IoU ↑", \.otsuIoU), ("randomised ρ ↓", { $0.randomisation.last?.spearman }),
            ("max-sensitivity ↓", \.maxSensitivity), ("s / sample", \.explanationSecondsPerSample),
        ]
        let used = columns.filter { column in methods.contains { column.1($0) != nil } }
        if !used.isEmpty {
            tables.append(Table(title: "Methods × metrics", header: ["method"] + used.map(\.0), rows: methods.map { result in
                [result.method] + used.map { Self.format($0.1(result)) }
            }))
        }
        return tables
    }

    /// The tables as Markdown (`metrics.md`).
    var markdown: String {
        "# Evaluation of \(model) on \(data)\n\nPositions: \(unit); baseline: \(baseline).\n"
            + tables.map { "\n## \($0.title)\n\n" + Self.table($0.header, $0.rows) }.joined()
    }

    /// `report.html`: the tables and the charts written beside it (`charts`: their file names).
    func html(charts: [String]) -> String {
        let intro = "<p>Positions: \(MarkupText.escaped(unit)); baseline: \(MarkupText.escaped(baseline)); "
            + "\(methods.first?.samples ?? 0) samples. Files: <a href=\"metrics.json\">metrics.json</a>, "
            + "<a href=\"metrics.csv\">metrics.csv</a>, <a href=\"metrics.md\">metrics.md</a>.</p>\n"
        let body = intro + tables.map { "<h2>\(MarkupText.escaped($0.title))</h2>\n" + HTML.table($0.header, $0.rows) }.joined()
            + (charts.isEmpty ? "" : "<h2>Charts</h2>\n")
            + charts.map { "<figure>" + HTML.image($0, alt: $0, cssClass: "chart") + "</figure>\n" }.joined()
        return HTML.page(title: "Evaluation of \(model) on \(data)", body: body)
    }

    static func table(_ header: [String], _ rows: [[String]]) -> String {
        ([header, header.map { _ in "---" }] + rows).map { "| " + $0.joined(separator: " | ") + " |" }.joined(separator: "\n") + "\n"
    }

    static func format(_ value: Double?, digits: Int = 3) -> String {
        value.map { String(format: "%.\(digits)f", $0) } ?? "–"
    }

    static func percent(_ fraction: Double) -> String {
        String(format: "%g", fraction * 100)
    }
}
