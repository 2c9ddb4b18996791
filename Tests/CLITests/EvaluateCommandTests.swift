import Foundation
import Testing
import STCore
import STIO

/// `stexplain evaluate` end to end on the committed ST-GCN demo model.
@Suite struct EvaluateCommandTests {
    static let stgcn = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("models/stgcn_small").path

    /// 18 test skeletons (two per class), seed 000's masking with per-class ψ_c plus localisation
    /// against the defining joints: masking the important joints must cost more accuracy than
    /// masking the others (β important > β non-important), and every file is written.
    @Test func writesSeed000TableAndMetricFiles() throws {
        let out = try CommandRunner.temporaryDirectory().appendingPathComponent("eval").path
        let result = try CommandRunner.run(["evaluate", "--model", Self.stgcn, "--data", "skeleton-actions", "--count", "18",
                                            "--methods", "gradcam,saliency", "--metrics", "masking,pointing-game,relevance-mass",
                                            "--importance", "class", "--out", out])
        #expect(result.status == 0, "\(result.error)")
        #expect(result.output.contains("| gradcam | 100.00 |"))
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out + "/metrics.json"))) as! [String: Any]
        let methods = try #require(json["methods"] as? [[String: Any]])
        #expect(methods.map { $0["method"] as? String } == ["gradcam", "saliency"])
        for method in methods {
            let important = try #require(method["beta_important"] as? Double)
            let other = try #require(method["beta_non_important"] as? Double)
            #expect(important > other)
            #expect((method["masking"] as? [Any])?.count == 6)
            #expect(method["pointing_game"] is Double)
        }
        let csv = try String(contentsOfFile: out + "/metrics.csv", encoding: .utf8)
        #expect(csv.hasPrefix("method,metric,value\ngradcam,accuracy,1.0\n"))
        #expect(FileManager.default.fileExists(atPath: out + "/metrics.md"))
    }

    @Test(arguments: [
        (["--data", "skeleton-actions", "--manifest", "m.csv"], "give exactly one of --data, --manifest and --ntu"),
        (["--data", "skeleton-actions", "--metrics", "masking,accuracy"], "unknown --metrics 'accuracy'"),
        (["--data", "skeleton-actions", "--unit", "voxel"], "'voxel' positions do not exist for skeleton inputs"),
        (["--manifest", "/nonexistent/m.csv"], "/nonexistent/m.csv: cannot read the manifest"),
        (["--data", "skeleton-actions", "--fractions", "10,150"], "--fractions takes percentages"),
    ])
    func badRequestsExitWithCode2AndWriteNothing(arguments: [String], message: String) throws {
        let out = try CommandRunner.temporaryDirectory().appendingPathComponent("eval").path
        let result = try CommandRunner.run(["evaluate", "--model", Self.stgcn, "--count", "9", "--out", out] + arguments)
        #expect(result.status == 2)
        #expect(result.error.contains(message), "\(result.error)")
        #expect(result.error.split(separator: "\n").count == 1)
        #expect(!FileManager.default.fileExists(atPath: out))
    }
}
