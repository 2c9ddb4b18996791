import Foundation
import Testing
import STCore
import STIO
import TestSupport

/// `stexplain evaluate` end to end on the committed ST-GCN demo model.
@Suite struct EvaluateCommandTests {
    static let stgcn = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("models/stgcn_small").path

    /// 18 test skeletons (two per class), seed 000's masking with per-class ψ_c plus localisation
    /// against the defining joints: masking the important joints must cost more accuracy than
    /// masking the others (β important > β non-important), and every file is written.
    @Test func writesSeed000TableAndMetricFiles() throws {
        let out = try temporaryDirectory().appendingPathComponent("eval").path
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

    /// An NTU RGB+D file: `frames` frames of one body whose 25 joints sway with the frame index.
    static func ntuSkeleton(frames: Int, phase: Float) -> String {
        var lines = ["\(frames)"]
        for t in 0..<frames {
            lines += ["1", "72057594037931101 0 1 1 1 1 0 0.1 0.2 2", "25"]
            for v in 0..<25 {
                let x = Float(v % 5) * 0.1 + 0.05 * sin(Float(t) * 0.4 + phase), y = Float(v / 5) * 0.2, z = 3.0
                lines.append("\(x) \(y) \(z) 250 200 900 500 0 0 0 1 2")
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// A folder of NTU files is labelled by the action code of each name (A003 → class 2) and a
    /// manifest of `path,label` lines gives the same samples (the same numbers, timings aside).
    @Test func readsNTUFoldersAndManifests() throws {
        let directory = try temporaryDirectory()
        let folder = directory.appendingPathComponent("nturgbd")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let names = ["S001C001P001R001A003.skeleton", "S001C001P001R001A007.skeleton"]
        for (index, name) in names.enumerated() {
            try Self.ntuSkeleton(frames: 20, phase: Float(index)).write(to: folder.appendingPathComponent(name), atomically: true, encoding: .utf8)
        }
        let manifest = directory.appendingPathComponent("m.csv")
        try "path,label\nnturgbd/\(names[0]),2\nnturgbd/\(names[1]),6\n".write(to: manifest, atomically: true, encoding: .utf8)
        var outputs: [String] = []
        for source in [["--ntu", folder.path], ["--manifest", manifest.path]] {
            let out = directory.appendingPathComponent("out-\(outputs.count)").path
            let result = try CommandRunner.run(["evaluate", "--model", Self.stgcn, "--frames", "32", "--metrics", "masking,deletion",
                                                "--out", out] + source)
            #expect(result.status == 0, "\(result.error)")
            let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out + "/metrics.json"))) as! [String: Any]
            let method = try #require((json["methods"] as? [[String: Any]])?.first)
            #expect(method["samples"] as? Int == 2)
            let rows = try String(contentsOfFile: out + "/metrics.csv", encoding: .utf8).split(separator: "\n")
            outputs.append(rows.filter { !$0.contains("second") }.joined(separator: "\n"))
        }
        #expect(outputs[0] == outputs[1])
    }

    /// `--shard 0/2` and `--shard 1/2` merged give one run's numbers (sums added in another
    /// order, so equal to 1e-9), the randomisation check included (shard 0 holds its samples).
    @Test func mergedShardsEqualOneRun() throws {
        let directory = try temporaryDirectory()
        let common = ["evaluate", "--model", Self.stgcn, "--data", "skeleton-actions", "--count", "18", "--methods", "gradcam",
                      "--metrics", "masking,deletion,pointing-game,relevance-mass,randomisation", "--sanity-samples", "4"]
        func values(_ out: String) throws -> [String: Double] {
            let rows = try String(contentsOfFile: out + "/metrics.csv", encoding: .utf8).split(separator: "\n").dropFirst()
            return Dictionary(uniqueKeysWithValues: rows.filter { !$0.contains("second") }.map { row in
                let fields = row.split(separator: ",")
                return ("\(fields[0]),\(fields[1])", Double(fields[2]) ?? .nan)
            })
        }
        let whole = directory.appendingPathComponent("whole").path
        #expect(try CommandRunner.run(common + ["--out", whole]).status == 0)
        var shards: [String] = []
        for index in 0..<2 {
            let out = directory.appendingPathComponent("shard\(index)").path
            let result = try CommandRunner.run(common + ["--shard", "\(index)/2", "--out", out])
            #expect(result.status == 0, "\(result.error)")
            shards.append(out)
        }
        let merged = directory.appendingPathComponent("merged").path
        let result = try CommandRunner.run(["merge"] + shards + ["--out", merged])
        #expect(result.status == 0, "\(result.error)")
        let (expected, actual) = (try values(whole), try values(merged))
        #expect(Set(expected.keys) == Set(actual.keys))
        #expect(expected.keys.contains { $0.contains("randomisation_spearman") })
        for (key, value) in expected { #expect(abs((actual[key] ?? .nan) - value) < 1e-9, "\(key)") }
    }

    @Test(arguments: [
        (["--data", "skeleton-actions", "--manifest", "m.csv"], "give exactly one of --data, --manifest and --ntu"),
        (["--data", "skeleton-actions", "--metrics", "masking,accuracy"], "The value 'masking,accuracy' is invalid for '--metrics <metrics>'. Please provide one of the following: all, masking,"),
        (["--data", "skeleton-actions", "--shard", "4/4"], "The value '4/4' is invalid for '--shard <shard>'"),
        (["--data", "skeleton-actions", "--unit", "voxel"], "'voxel' positions do not exist for skeleton inputs"),
        (["--manifest", "/nonexistent/m.csv"], "/nonexistent/m.csv: cannot read the manifest"),
        (["--data", "skeleton-actions", "--fractions", "10,150"], "--fractions takes percentages"),
    ])
    func badRequestsExitWithCode2AndWriteNothing(arguments: [String], message: String) throws {
        let out = try temporaryDirectory().appendingPathComponent("eval").path
        let result = try CommandRunner.run(["evaluate", "--model", Self.stgcn, "--count", "9", "--out", out] + arguments)
        #expect(result.status == 2)
        #expect(result.error.contains(message), "\(result.error)")
        #expect(result.error.split(separator: "\n").count == 1)
        #expect(!FileManager.default.fileExists(atPath: out))
    }
}
