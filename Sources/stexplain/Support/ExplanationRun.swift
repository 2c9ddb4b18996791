import Foundation
import Logging
import STCore
import STExplain
import STIO
import STModels

/// One input explained with one or more methods, as files: per method `map.npy`,
/// `attribution.npy`, `summary.json` and its pictures (beside `report.html` for one method, under
/// `METHOD/` for several), the input's frames under `input/` and `report.html`.
struct ExplanationRun {
    let explanations: [Explanation]
    let summaries: [ExplanationSummary]
    let files: [String: Data]

    /// The files of explaining `tensor` (read from `inputPath`) with each of `explainers`; each
    /// method's time goes to `log` at debug level.
    init(_ tensor: Tensor, inputPath: String, modelName: String, model: ExplainedModel, explainers: [any Explainer],
         target: Target, label: Int? = nil, pictures: Bool = true, log: Logger = .stexplain(quiet: true)) throws {
        let explanations = try explain(tensor, model: model, explainers: explainers, target: target, source: inputPath)
        for explanation in explanations {
            log.debug("\(explanation.method.rawValue): \(String(format: "%.3f", explanation.seconds)) s")
        }
        let picturesStarted = Date()
        defer {
            if pictures { log.debug("pictures and report: \(String(format: "%.3f", Date().timeIntervalSince(picturesStarted))) s") }
        }
        let layout = model.inputKind == .skeleton ? try SkeletonLayout.forJointCount(tensor.shape[3]) : nil
        var files: [String: Data] = [:]
        var summaries: [ExplanationSummary] = []
        var runs: [ExplanationReport.Run] = []
        for explanation in explanations {
            let directory = explainers.count == 1 ? "" : "\(explanation.method.rawValue)/"
            var summary = ExplanationSummary(explanation: explanation, inputShape: tensor.shape, model: modelName,
                                             input: inputPath)
            summary.label = label
            if let layout { summary.skeleton = .init(explanation: explanation, input: tensor, jointNames: layout.jointNames) }
            var own = [
                "map.npy": NPY.encode(explanation.map),
                "attribution.npy": NPY.encode(explanation.attribution),
                "summary.json": try JSONOutput.encode(summary) + Data("\n".utf8),
            ]
            if pictures {
                own.merge(try ExplanationImages.files(explanation, method: explanation.method, input: tensor, kind: model.inputKind)) { $1 }
            }
            if let split = explanation.freezeFrames {
                own["spatial.npy"] = NPY.encode(split.spatial)
                own["temporal.npy"] = NPY.encode(split.temporal)
            }
            for (name, data) in own { files[directory + name] = data }
            runs.append(.init(explanation: explanation, directory: directory, files: Set(own.keys)))
            summaries.append(summary)
        }
        if pictures {
            let inputFrames = model.inputKind == .skeleton ? [:] : try ExplanationImages.inputFrames(tensor, kind: model.inputKind)
            files.merge(inputFrames) { $1 }
            let report = ExplanationReport(
                model: modelName, input: inputPath, inputShape: tensor.shape, kind: model.inputKind, label: label, runs: runs,
                inputFrames: inputFrames.count,
                skeleton: layout.map { SkeletonAnimation(input: tensor, explanations: explanations, layout: $0) })
            files["report.html"] = Data(report.html.utf8)
        }
        self.explanations = explanations
        self.summaries = summaries
        self.files = files
    }
}
