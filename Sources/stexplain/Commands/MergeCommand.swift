import ArgumentParser
import Foundation
import STCore
import STMetrics

/// `stexplain merge`: the outputs of `stexplain evaluate --shard i/N` or `stexplain explain
/// --manifest … --shard i/N` runs combined into the result of one run over all samples (each
/// shard keeps running sums, which add up exactly).
struct MergeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "merge",
        abstract: "Combine the output directories of sharded evaluate runs.",
        discussion: """
            Reads DIR/metrics.json of every shard, adds their running sums method by method, and \
            writes metrics.json, metrics.csv, metrics.md, report.html and the charts to --out, as \
            one `stexplain evaluate` over all samples would. Shards of `explain --manifest` on a \
            skeleton model hold DIR/joint_importance.json instead: their per-class sums are added \
            into one joint_importance.json (seed 000's ψ_c over the whole set), which \
            `evaluate --importance class --class-importance FILE` then uses shard by shard.

            Examples:
              stexplain evaluate --model models/r3d_small --data moving-shapes --count 160 --shard 0/2 --out out/s0
              stexplain evaluate --model models/r3d_small --data moving-shapes --count 160 --shard 1/2 --out out/s1
              stexplain merge out/s0 out/s1 --out out/all

              stexplain explain --model models/stgcn_small --manifest ntu.csv --target label --shard 0/2 --out psi/0
              stexplain explain --model models/stgcn_small --manifest ntu.csv --target label --shard 1/2 --out psi/1
              stexplain merge psi/0 psi/1 --out psi/all
              stexplain evaluate --model models/stgcn_small --manifest ntu.csv --importance class \\
                --class-importance psi/all/joint_importance.json --metrics masking --shard 0/2 --out eval/0
            """)

    @Argument(help: "Output directories of the shards.")
    var shards: [String]

    @Option(help: "Output directory.")
    var out: String

    /// The part of `metrics.json` a merge needs.
    struct ShardOutput: Decodable {
        let model: String
        let data: String
        let unit: String
        let baseline: String
        let fractions: [Double]
        let scores: [MethodScores]
    }

    func run() throws {
        guard !shards.isEmpty else { throw STError.invalidRequest("give the shards' output directories") }
        let exists = { (name: String) in self.shards.allSatisfy { FileManager.default.fileExists(atPath: "\($0)/\(name)") } }
        switch (exists("metrics.json"), exists("joint_importance.json")) {
        case (true, _): try mergeMetrics()
        case (false, true): try mergeJointImportance()
        case (false, false):
            let missing = shards.first { !FileManager.default.fileExists(atPath: "\($0)/metrics.json") }!
            throw STError.badInput(file: "\(missing)/metrics.json",
                                   reason: "no such file (not an evaluate output, nor explain shards with joint_importance.json)")
        }
    }

    private func mergeJointImportance() throws {
        let files = try shards.map { directory in
            let path = "\(directory)/joint_importance.json"
            return (path: path, file: try ClassImportanceFile.read(path))
        }
        try OutputDirectory.write(out, files: ["joint_importance.json": try ClassImportanceFile.merged(files).data])
        print("wrote \(out)/joint_importance.json (\(shards.count) shards)")
    }

    private func mergeMetrics() throws {
        let outputs = try shards.map { directory -> ShardOutput in
            let path = "\(directory)/metrics.json"
            guard let data = FileManager.default.contents(atPath: path) else {
                throw STError.badInput(file: path, reason: "no such file (not an evaluate output directory?)")
            }
            do {
                return try JSONDecoder().decode(ShardOutput.self, from: data)
            } catch {
                throw STError.badInput(file: path, reason: "not the metrics.json of stexplain evaluate")
            }
        }
        let first = outputs[0]
        var merged = first.scores
        for (directory, output) in zip(shards, outputs).dropFirst() {
            guard output.model == first.model, output.data == first.data, output.unit == first.unit,
                  output.baseline == first.baseline, output.fractions == first.fractions,
                  output.scores.map(\.method) == first.scores.map(\.method) else {
                throw STError.badInput(file: "\(directory)/metrics.json",
                                       reason: "comes from a different evaluation (model, data, methods or settings differ)")
            }
            for index in merged.indices { try merged[index].merge(output.scores[index]) }
        }
        let report = try EvaluationReport(model: first.model, data: first.data, unit: first.unit, baseline: first.baseline,
                                          fractions: first.fractions, scores: merged)
        try OutputDirectory.write(out, files: try report.files())
        print(report.markdown)
    }
}
