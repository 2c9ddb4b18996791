import Foundation
import Testing
import STCore
import STIO
import TestSupport

private let zoo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("Fixtures/onnx/zoo")

/// Transformers and efficient CNNs from ONNX on the command line: the default layer, token
/// layers mapped back to space-time, the N × T × C × H × W input of Hugging Face video models,
/// `stexplain layers` and `stexplain predict`.
@Suite struct TransformerCommandTests {
    /// (fixture, expected default layer, expected map shape): the last global pooling's input for
    /// CNNs and Swin (channels first after the permute), the last block's input for class-token
    /// transformers (ViT, MViT, TimeSformer), the tokens VideoMAE averages; token maps at the
    /// embedding grid (ViT 4×4), MViT's pooled grid (2×4×4 from 2×8×8) and TimeSformer's
    /// per-frame grid (4 frames × 4×4).
    static let cases: [(String, String, [Int])] = [
        ("tiny_mvit_v2", "blocks.1", [1, 2, 4, 4]),
        ("tiny_mvit_v1", "blocks.1", [1, 2, 4, 4]),
        ("tiny_swin3d", "/Transpose", [1, 4, 5, 5]),
        ("tiny_swin2d", "permute", [1, 4, 4]),
        ("tiny_vit", "encoder.layers.encoder_layer_0", [1, 4, 4]),
        ("tiny_convnext", "features", [1, 4, 4]),
        ("tiny_mobilenet_v3", "features", [1, 4, 4]),
        ("tiny_videomae", "model.videomae", [1, 2, 4, 4]),
        ("tiny_timesformer", "model.timesformer.encoder.layer.0", [1, 4, 4, 4]),
    ]

    /// Grad-CAM at the default layer gives a map with more than one cell in space (and in time
    /// for video), not all equal.
    @Test(arguments: cases)
    func gradCAMAtTheDefaultLayerIsNotDegenerate(fixture: String, layer: String, mapShape: [Int]) throws {
        let out = try temporaryDirectory().appendingPathComponent("out").path
        let result = try CommandRunner.run(["explain", "--model", zoo.appendingPathComponent("\(fixture).onnx").path,
                                            "--input", zoo.appendingPathComponent("\(fixture)_input.npy").path,
                                            "--method", "gradcam", "--out", out, "--quiet"])
        #expect(result.status == 0, "\(result.error)")
        let summary = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out + "/summary.json"))) as? [String: Any]
        #expect(summary?["layer"] as? String == layer)
        let map = try NPY.read(path: out + "/map.npy")
        #expect(map.shape == mapShape)
        #expect(Set(map.scalars).count > 1)
    }

    /// Swin's final norm is channels-last (1 × 4 × 5 × 5 × 32): Grad-CAM there is laid out channels
    /// first and equals the map at the default layer, the same values permuted (1 × 32 × 4 × 5 × 5).
    @Test func aChannelsLastSwinLayerGivesTheSameMapAsItsPermutation() throws {
        let directory = try temporaryDirectory()
        var maps: [Tensor] = []
        for layer in ["norm", "/Transpose"] {
            let out = directory.appendingPathComponent(layer == "norm" ? "norm" : "default").path
            let result = try CommandRunner.run(["explain", "--model", zoo.appendingPathComponent("tiny_swin3d.onnx").path,
                                                "--input", zoo.appendingPathComponent("tiny_swin3d_input.npy").path,
                                                "--method", "gradcam", "--layer", layer, "--out", out, "--quiet"])
            #expect(result.status == 0, "\(result.error)")
            maps.append(try NPY.read(path: out + "/map.npy"))
        }
        #expect(maps[0].shape == [1, 4, 5, 5])
        #expect(maps[0].scalars == maps[1].scalars)
        #expect((maps[0].scalars.max() ?? 0) > 0)
    }

    /// VideoMAE takes N × T × C × H × W: the fixture is read as given (and permuted), the same
    /// clip given as N × C × T × H × W is taken as it is, and both explain alike; the
    /// attribution is N × C × T × H × W.
    @Test func aFramesFirstModelTakesEitherLayout() throws {
        let directory = try temporaryDirectory()
        let framesFirst = try NPY.read(path: zoo.appendingPathComponent("tiny_videomae_input.npy").path)
        #expect(framesFirst.shape == [1, 4, 3, 32, 32])
        var context = ForwardContext()
        let channelsFirst = try Permute([0, 2, 1, 3, 4]).forward([framesFirst], parameters: [], context: &context).value
        let channelsFirstPath = directory.appendingPathComponent("ncthw.npy").path
        try NPY.write(channelsFirst, to: channelsFirstPath)
        var maps: [Tensor] = []
        for (name, input) in [("a", zoo.appendingPathComponent("tiny_videomae_input.npy").path), ("b", channelsFirstPath)] {
            let out = directory.appendingPathComponent(name).path
            let result = try CommandRunner.run(["explain", "--model", zoo.appendingPathComponent("tiny_videomae.onnx").path,
                                                "--input", input, "--method", "saliency", "--out", out, "--quiet"])
            #expect(result.status == 0, "\(result.error)")
            maps.append(try NPY.read(path: out + "/attribution.npy"))
        }
        #expect(maps[0].shape == [1, 3, 4, 32, 32])
        #expect(maps[0].scalars == maps[1].scalars)
    }

    /// A grid that does not fit the tokens is one line naming the layer, the length and the grid.
    @Test func aTokenGridThatDoesNotFitIsOneLine() throws {
        let out = try temporaryDirectory().appendingPathComponent("out").path
        let result = try CommandRunner.run(["explain", "--model", zoo.appendingPathComponent("tiny_vit.onnx").path,
                                            "--input", zoo.appendingPathComponent("tiny_vit_input.npy").path,
                                            "--method", "gradcam", "--token-grid", "3,3", "--out", out])
        #expect(result.status == 2)
        #expect(result.error == "error: layer 'encoder.layers.encoder_layer_0' has 17 tokens, which do not make the grid 3×3 "
                + "after 0–2 class tokens; give --token-grid and --class-tokens\n")
        #expect(!FileManager.default.fileExists(atPath: out))
    }

    /// `layers` marks the default and lists token shapes; `predict --expected` compares with
    /// PyTorch's logits and exits 1 beyond the tolerance.
    @Test func layersAndPredict() throws {
        let model = zoo.appendingPathComponent("tiny_vit.onnx").path
        let layers = try CommandRunner.run(["layers", "--model", model, "--json"])
        #expect(layers.status == 0, "\(layers.error)")
        let rows = try JSONSerialization.jsonObject(with: Data(layers.output.utf8)) as? [[String: Any]] ?? []
        let defaults = rows.filter { $0["default"] as? Bool == true }
        #expect(defaults.count == 1)
        #expect(defaults.first?["layer"] as? String == "encoder.layers.encoder_layer_0")
        #expect(defaults.first?["shape"] as? [Int] == [1, 17, 32])
        let input = zoo.appendingPathComponent("tiny_vit_input.npy").path
        let logits = zoo.appendingPathComponent("tiny_vit_logits.npy").path
        let matching = try CommandRunner.run(["predict", "--model", model, "--input", input, "--expected", logits])
        #expect(matching.status == 0, "\(matching.error)")
        let tight = try CommandRunner.run(["predict", "--model", model, "--input", input, "--expected", logits, "--tolerance", "1e-12"])
        #expect(tight.status == 1)
    }
}
