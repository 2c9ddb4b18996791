import Foundation
import Testing
import STCore
import STIO
import TestSupport

/// Dataset-scale runs: seed 000's ψ_c from `explain --manifest` shards merged, then masking
/// evaluated shard by shard with that ψ_c and merged, equal one process doing all of it.
@Suite struct ShardTests {
    static let stgcn = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("models/stgcn_small").path

    func json(_ path: String) throws -> [String: Any] {
        try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as! [String: Any]
    }

    @Test func shardedJointImportanceAndMaskingEqualOneRun() throws {
        let directory = try temporaryDirectory()
        let manifest = try CommandRunner.skeletonManifest(count: 12, in: directory)
        func run(_ arguments: [String]) throws {
            let result = try CommandRunner.run(arguments)
            #expect(result.status == 0, "\(arguments.joined(separator: " ")): \(result.error)")
        }
        let out = { (name: String) in directory.appendingPathComponent(name).path }
        let explain = ["explain", "--model", Self.stgcn, "--manifest", manifest, "--method", "gradcam", "--target", "label", "--quiet"]
        try run(explain + ["--out", out("psi-all")])
        try run(explain + ["--shard", "0/2", "--out", out("psi-0")])
        try run(explain + ["--shard", "1/2", "--out", out("psi-1")])
        #expect(try FileManager.default.contentsOfDirectory(atPath: out("psi-1")).filter { $0.hasPrefix("s") }.sorted()
                == ["s10", "s11", "s6", "s7", "s8", "s9"])
        try run(["merge", out("psi-0"), out("psi-1"), "--out", out("psi-merged")])
        let one = try json(out("psi-all") + "/joint_importance.json"), merged = try json(out("psi-merged") + "/joint_importance.json")
        let oneEntry = (one["methods"] as! [String: Any])["gradcam"] as! [String: Any]
        let mergedEntry = (merged["methods"] as! [String: Any])["gradcam"] as! [String: Any]
        #expect(oneEntry["counts"] as? [String: Int] == mergedEntry["counts"] as? [String: Int])
        #expect((oneEntry["counts"] as? [String: Int])?.values.reduce(0, +) == 12)
        let (oneSums, mergedSums) = (oneEntry["sums"] as! [String: [Double]], mergedEntry["sums"] as! [String: [Double]])
        #expect(Set(oneSums.keys) == Set(mergedSums.keys))
        for (label, sum) in oneSums {
            for (a, b) in zip(sum, mergedSums[label]!) { #expect(abs(a - b) <= 1e-12 * max(1, abs(a))) }
        }

        let evaluate = ["evaluate", "--model", Self.stgcn, "--manifest", manifest, "--methods", "gradcam", "--metrics", "masking",
                        "--importance", "class", "--quiet"]
        let psi = out("psi-merged") + "/joint_importance.json"
        try run(evaluate + ["--out", out("eval-all")])
        try run(evaluate + ["--class-importance", psi, "--shard", "0/2", "--out", out("eval-0")])
        try run(evaluate + ["--class-importance", psi, "--shard", "1/2", "--out", out("eval-1")])
        try run(["merge", out("eval-0"), out("eval-1"), "--out", out("eval-merged")])
        let table = { (name: String) in  // every row but the timings
            try String(contentsOfFile: out(name) + "/metrics.csv", encoding: .utf8).split(separator: "\n")
                .filter { !$0.contains("second") }.joined(separator: "\n")
        }
        #expect(try table("eval-all") == table("eval-merged"))
        #expect(try table("eval-all").contains("gradcam,beta_important,"))
        #expect(FileManager.default.fileExists(atPath: out("eval-all") + "/joint_importance.json"))

        let refused = try CommandRunner.run(evaluate + ["--shard", "0/2", "--out", out("refused")])
        #expect(refused.status == 2 && refused.error.contains("--class-importance"))
    }
}
