import Foundation
import Testing
import STCore
import STIO
import TestSupport

private let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("Fixtures")
private let zoo = fixtures.appendingPathComponent("onnx/zoo")

/// Attention rollout, transformer attribution and AttnLRP on the command line, on the ONNX
/// transformers of the zoo fixtures: rollout against a numpy reference computed on the attention
/// maps PyTorch produces (`scripts/peers/attention_fixtures.py`), the other two on every
/// transformer with attention the methods read, and one-line errors for models they cannot read.
@Suite struct AttentionMethodCommandTests {
    func explain(_ fixture: String, _ arguments: [String]) throws -> (CommandRunner.Result, String) {
        let out = try temporaryDirectory().appendingPathComponent("out").path
        let result = try CommandRunner.run(["explain", "--model", zoo.appendingPathComponent("\(fixture).onnx").path,
                                            "--input", zoo.appendingPathComponent("\(fixture)_input.npy").path,
                                            "--out", out, "--quiet", "--no-pictures"] + arguments)
        return (result, out)
    }

    /// (fixture, head fusion, discard ratio): VideoMAE's joint attention without a class token
    /// (the mean over tokens rolled out), TimeSformer's divided space-time attention, and the last
    /// stage of hierarchical transformers: MViT v2 and v1 (pooled attention before it) and Swin
    /// (windows before it).
    static let rolloutCases: [(String, String, String)] =
        ["tiny_videomae", "tiny_timesformer", "tiny_mvit_v2", "tiny_mvit_v1", "tiny_swin2d"].flatMap { fixture in
            [(fixture, "mean", "0"), (fixture, "max", "0.5"), (fixture, "min", "0")]
        }

    @Test(arguments: rolloutCases)
    func rolloutEqualsTheNumpyReferenceOnTorchsAttentionMaps(fixture: String, fusion: String, discard: String) throws {
        let (result, out) = try explain(fixture, ["--method", "attention-rollout", "--head-fusion", fusion,
                                                  "--discard-ratio", discard])
        #expect(result.status == 0, "\(result.error)")
        let map = try NPY.read(path: out + "/map.npy")
        let reference = try NPY.read(path: fixtures.appendingPathComponent("peers/attention/\(fixture)_rollout_\(fusion)_\(discard).npy").path)
        #expect(map.shape == reference.shape)
        expectClose(map.scalars, reference.scalars, .relative(1e-4, floor: 1e-3))
    }

    /// The built-in video transformer (joint and divided attention, a batch of two) from its
    /// safetensors: rollout equals the numpy reference on the PyTorch module's attention maps.
    @Test(arguments: ["joint", "divided"], [("mean", "0"), ("max", "0.5"), ("min", "0")])
    func rolloutOfTheBuiltInVideoTransformerEqualsTheNumpyReference(attention: String, setting: (String, String)) throws {
        let key = "video_transformer_\(attention)"
        let out = try temporaryDirectory().appendingPathComponent("out").path
        let result = try CommandRunner.run(["explain", "--model", fixtures.appendingPathComponent("peers/\(key).safetensors").path,
                                            "--input", fixtures.appendingPathComponent("peers/\(key)_input.npy").path,
                                            "--method", "attention-rollout", "--head-fusion", setting.0,
                                            "--discard-ratio", setting.1, "--out", out, "--quiet", "--no-pictures"])
        #expect(result.status == 0, "\(result.error)")
        let map = try NPY.read(path: out + "/map.npy")
        let reference = try NPY.read(path: fixtures.appendingPathComponent("peers/attention/\(key)_rollout_\(setting.0)_\(setting.1).npy").path)
        #expect(map.shape == reference.shape)
        expectClose(map.scalars, reference.scalars, .relative(1e-4, floor: 1e-3))
    }

    /// (fixture, map shape at the token grid): a class-token image transformer, a mean-pooled
    /// video transformer, a divided one, and the hierarchical MViT and Swin (their last stage).
    static let transformers: [(String, [Int])] = [
        ("tiny_vit", [1, 4, 4]), ("tiny_videomae", [1, 2, 4, 4]), ("tiny_timesformer", [1, 4, 4, 4]),
        ("tiny_mvit_v2", [1, 2, 4, 4]), ("tiny_swin2d", [1, 4, 4]),
    ]

    @Test(arguments: transformers)
    func transformerAttributionAndAttnLRPGiveMapsOnEveryTransformer(fixture: String, grid: [Int]) throws {
        let (attribution, out) = try explain(fixture, ["--method", "transformer-attribution"])
        #expect(attribution.status == 0, "\(attribution.error)")
        let map = try NPY.read(path: out + "/map.npy")
        #expect(map.shape == grid)
        #expect(map.scalars.allSatisfy { $0 >= 0 } && Set(map.scalars).count > 1)

        let (lrp, lrpOut) = try explain(fixture, ["--method", "attnlrp"])
        #expect(lrp.status == 0, "\(lrp.error)")
        let relevance = try NPY.read(path: lrpOut + "/attribution.npy")
        let input = try NPY.read(path: zoo.appendingPathComponent("\(fixture)_input.npy").path)
        #expect(relevance.scalars.count == input.scalars.count && Set(relevance.scalars).count > 1)
    }

    /// (fixture, arguments, LXT's map): AttnLRP on the tiny VideoMAE against LXT's efficient
    /// AttnLRP rules, and the standard ε composite — attention held fixed — on the tiny
    /// torchvision ViT against LXT's own CP-LRP map for it (`scripts/peers/lxt_fixtures.py`).
    static let lxtCases: [(String, [String], String)] = [
        ("tiny_videomae", ["--method", "attnlrp"], "tiny_videomae_attnlrp_lxt"),
        ("tiny_vit", ["--method", "lrp", "--composite", "epsilon"], "tiny_vit_cplrp_lxt"),
    ]

    @Test(arguments: lxtCases)
    func lrpOfTransformersEqualsLXT(fixture: String, arguments: [String], reference: String) throws {
        let (result, out) = try explain(fixture, arguments)
        #expect(result.status == 0, "\(result.error)")
        let map = try NPY.read(path: out + "/map.npy")
        let expected = try NPY.read(path: fixtures.appendingPathComponent("peers/attention/\(reference).npy").path)
        #expect(map.shape == expected.shape)
        expectClose(map.scalars, expected.scalars, .normwise(1e-3))
    }

    @Test func rolloutOfAModelWithoutAttentionIsOneLineAndWritesNothing() throws {
        let out = try temporaryDirectory().appendingPathComponent("out").path
        let result = try CommandRunner.run(["explain", "--model", fixtures.appendingPathComponent("onnx/tiny_r3d.onnx").path,
                                            "--input", fixtures.appendingPathComponent("onnx/tiny_r3d_input.npy").path,
                                            "--method", "attention-rollout", "--out", out])
        #expect(result.status == 2)
        #expect(result.error == "error: attention-rollout reads a transformer's attention maps (a softmax whose output "
                + "weighs the values, A·V), and this model has none\n")
        #expect(!FileManager.default.fileExists(atPath: out))
    }

    /// MViT's pooled stages come before the last one: the rollout reads the last stage's maps
    /// only, and summary.json names them.
    @Test func hierarchicalModelsRollOutTheirLastStageAndNameItsMaps() throws {
        let (result, out) = try explain("tiny_mvit_v2", ["--method", "attention-rollout"])
        #expect(result.status == 0, "\(result.error)")
        let summary = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out + "/summary.json")))
        let maps = try #require((summary as? [String: Any])?["attention_maps"] as? [String])
        #expect(maps.count == 2 && maps.allSatisfy { $0.lowercased().contains("softmax") }, "\(maps)")
    }

    /// The tiny Swin3D's last stage still attends in eight windows of its 4 × 5 × 5 grid: one line
    /// naming the node, its shape and the grid; nothing written.
    @Test func aLastStageInWindowsIsNamedWithItsShape() throws {
        let (result, out) = try explain("tiny_swin3d", ["--method", "attention-rollout"])
        #expect(result.status == 2)
        #expect(result.error.hasPrefix("error: attention '") && result.error.contains("does not map onto the token grid 4×5×5")
                && result.error.contains("the last stage's maps"), "\(result.error)")
        #expect(result.error.split(separator: "\n").count == 1)
        #expect(!FileManager.default.fileExists(atPath: out))
    }
}
