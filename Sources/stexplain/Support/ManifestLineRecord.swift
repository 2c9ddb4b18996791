import Foundation
import STCore
import STExplain
import STModels

/// What `explain --manifest` keeps of a finished line in OUT/.resume/: its row of index.html,
/// its samples' time-averaged joint heatmaps (skeleton models, for ψ_c) and its summaries (for
/// `--json`). The end of a run folds these records in manifest order, whether the lines were
/// explained in one process or over several resumed ones, so the outputs are the same.
struct ManifestLineRecord: Codable {
    var entry: ReportIndex.Entry
    let label: Int
    /// Per method, in the run's order: each sample's heatmap averaged over its valid frames.
    let jointMeans: [MethodMeans]
    /// Each summary.json of the line, pretty-printed.
    let summaries: [String]

    struct MethodMeans: Codable {
        let method: String
        let samples: [[Double]]
    }

    /// The record of manifest line `line` (0-based within the shard).
    static func file(_ line: Int) -> String {
        String(format: "line-%07d.json", line)
    }

    init(directory: String, path: String, label: Int, run: ExplanationRun, input: Tensor, skeleton: Bool) throws {
        entry = ReportIndex.Entry(directory: directory, title: (path as NSString).lastPathComponent, explanations: run.explanations,
                                  label: label)
        self.label = label
        jointMeans = skeleton ? try run.explanations.map {
            MethodMeans(method: $0.method.rawValue, samples: try JointImportance.timeAveraged($0, input: input))
        } : []
        summaries = try run.summaries.map { String(decoding: try JSONOutput.encode($0), as: UTF8.self) }
    }

    /// joint_importance.json: ψ_c of each method over all records' samples, by their labels; nil
    /// for models that are not skeleton models.
    static func jointImportance(_ records: [ManifestLineRecord]) throws -> Data? {
        var accumulators: [String: JointImportance] = [:]
        for record in records {
            for means in record.jointMeans {
                for mean in means.samples {
                    accumulators[means.method, default: JointImportance(joints: mean.count)].add(timeAveraged: mean, label: record.label)
                }
            }
        }
        guard let joints = accumulators.values.first?.joints else { return nil }
        return try ClassImportanceFile(jointNames: try SkeletonLayout.forJointCount(joints).jointNames, accumulators: accumulators).data
    }

    /// Every record's summaries as one pretty-printed JSON list, as `JSONOutput` prints a list.
    static func summariesJSON(_ records: [ManifestLineRecord]) -> String {
        let objects = records.flatMap(\.summaries).map { object in
            object.split(separator: "\n", omittingEmptySubsequences: false).map { "  " + $0 }.joined(separator: "\n")
        }
        return "[\n" + objects.joined(separator: ",\n") + "\n]"
    }
}
