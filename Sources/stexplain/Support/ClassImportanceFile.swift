import Foundation
import STCore
import STExplain
import STIO

/// `joint_importance.json`: seed 000's per-class joint importance of each method, as the running
/// sums that shards add up (`stexplain merge`) and as ψ_c min–max normalised per class.
///
///     { "joint_names": [25 names],
///       "methods": { "gradcam": { "sums": {"<class>": [Σ time-averaged heatmap per joint]},
///                                  "counts": {"<class>": samples},
///                                  "importance": {"<class>": [ψ_c in 0…1 per joint]} } } }
struct ClassImportanceFile: Codable {
    struct MethodEntry: Codable {
        let sums: [String: [Double]]
        let counts: [String: Int]
        let importance: [String: [Float]]
    }

    let jointNames: [String]
    let methods: [String: MethodEntry]

    enum CodingKeys: String, CodingKey {
        case jointNames = "joint_names", methods
    }

    init(jointNames: [String], accumulators: [String: JointImportance]) {
        self.jointNames = jointNames
        methods = accumulators.mapValues { accumulator in
            let classes = accumulator.counts.keys.sorted()
            return MethodEntry(
                sums: Dictionary(uniqueKeysWithValues: classes.map { ("\($0)", accumulator.sums[$0]!) }),
                counts: Dictionary(uniqueKeysWithValues: classes.map { ("\($0)", accumulator.counts[$0]!) }),
                importance: Dictionary(uniqueKeysWithValues: classes.map { ("\($0)", accumulator.importance(of: $0)!) }))
        }
    }

    /// The running sums of each method.
    func accumulators(source: String) throws -> [String: JointImportance] {
        try methods.mapValues { entry in
            var accumulator = JointImportance(joints: jointNames.count)
            for (key, sum) in entry.sums {
                guard let label = Int(key), let count = entry.counts[key], sum.count == jointNames.count else {
                    throw STError.badInput(file: source, reason: "class '\(key)' has no count or not \(jointNames.count) joints")
                }
                try accumulator.merge(JointImportance(joints: jointNames.count, sums: [label: sum], counts: [label: count]))
            }
            return accumulator
        }
    }

    static func read(_ path: String) throws -> ClassImportanceFile {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw STError.badInput(file: path, reason: "no such file")
        }
        do {
            return try JSONDecoder().decode(ClassImportanceFile.self, from: data)
        } catch {
            throw STError.badInput(file: path, reason: "not a joint_importance.json of stexplain explain, evaluate or merge")
        }
    }

    /// Every shard's sums added up (same joints required).
    static func merged(_ files: [(path: String, file: ClassImportanceFile)]) throws -> ClassImportanceFile {
        let first = files[0].file
        var total = try first.accumulators(source: files[0].path)
        for (path, file) in files.dropFirst() {
            guard file.jointNames == first.jointNames, Set(file.methods.keys) == Set(first.methods.keys) else {
                throw STError.badInput(file: path, reason: "comes from a different run (joints or methods differ)")
            }
            for (method, accumulator) in try file.accumulators(source: path) { try total[method]!.merge(accumulator) }
        }
        return ClassImportanceFile(jointNames: first.jointNames, accumulators: total)
    }

    var data: Data {
        get throws { try JSONOutput.encode(self) + Data("\n".utf8) }
    }
}
