import Foundation
import Testing
import STCore
@testable import STIO

/// Tests/Fixtures/onnx/zoo/: small configurations of today's architectures (MViT v1/v2,
/// Swin3D, Swin, ViT, ConvNeXt, MobileNetV3, VideoMAE, TimeSformer) with random weights,
/// exported by scripts/onnx/export-fixtures.py --zoo through both exporters and several opsets.
private let zoo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("Fixtures/onnx/zoo")

/// One line of index.json.
struct ZooFixture: Decodable, Sendable, CustomTestStringConvertible {
    let onnx: String
    let input: String
    let logits: String
    let opset: Int
    let exporter: String
    let family: String
    let layout: String

    var testDescription: String { onnx }

    static let all: [ZooFixture] = {
        guard let data = try? Data(contentsOf: zoo.appendingPathComponent("index.json")),
              let entries = try? JSONDecoder().decode([ZooFixture].self, from: data) else { return [] }
        return entries
    }()

    func path(_ file: String) -> String { zoo.appendingPathComponent(file).path }
}

@Suite("ONNX import of transformer and efficient-CNN fixtures")
struct ONNXZooFixtureTests {
    @Test func theIndexListsEveryFamily() {
        #expect(Set(ZooFixture.all.map(\.family)) == ["tiny_mvit_v2", "tiny_mvit_v1", "tiny_swin3d", "tiny_swin2d", "tiny_vit",
                                                      "tiny_convnext", "tiny_mobilenet_v3", "tiny_videomae", "tiny_timesformer"])
    }

    /// max |import − PyTorch| ≤ 10⁻⁴ · max |PyTorch| for the stored input, whatever the exporter
    /// and opset (14, 17, 18, 20).
    @Test(arguments: ZooFixture.all)
    func importReproducesPyTorchLogits(fixture: ZooFixture) throws {
        let model = try ONNXImporter.read(path: fixture.path(fixture.onnx))
        let expected = try NPY.read(path: fixture.path(fixture.logits))
        let output = try model.graph.forward(try NPY.read(path: fixture.path(fixture.input)),
                                             options: ForwardOptions(observe: [], differentiable: false)).output
        #expect(output.shape == expected.shape)
        let scale = expected.scalars.map(abs).max() ?? 0
        let largestError = zip(output.scalars, expected.scalars).map { abs($0 - $1) }.max() ?? .infinity
        #expect(scale > 0.005, "the fixture's logits are too small to compare")
        #expect(largestError <= 1e-4 * scale, "largest |import − PyTorch| = \(largestError), largest |logit| = \(scale)")
    }

    /// The erf form of GELU (opset 17, and the dynamo exporter's x · (½ · (1 + erf))) and the
    /// spelled-out layer normalisation of opset 14 (ReduceMean, Sub, Pow, ReduceMean, Add, Sqrt,
    /// Div, Mul, Add) import as one GELU and one LayerNorm node each: tiny ViT has 2 MLPs and 5
    /// layer norms, and no Erf, Sqrt or Pow is left.
    @Test(arguments: ["tiny_vit.onnx", "tiny_vit_opset14.onnx", "tiny_vit_dynamo.onnx"])
    func spelledOutGELUAndLayerNormAreFused(file: String) throws {
        let fixture = try #require(ZooFixture.all.first { $0.onnx == file })
        let graph = try ONNXImporter.read(path: fixture.path(file)).graph
        let types = graph.nodes.map(\.op.typeName)
        #expect(types.filter { $0 == "GELU" }.count == 2)
        #expect(types.filter { $0 == "LayerNorm" }.count == 5)
        #expect(!types.contains { ["Erf", "Sqrt", "Pow"].contains($0) })
        if file != "tiny_vit_dynamo.onnx" {
            #expect(try graph.resolve("encoder.layers.encoder_layer_0.ln_1") == "/encoder/layers/encoder_layer_0/ln_1/LayerNormalization")
        }
    }

    /// The dynamo exporter's in-place adds into slices — `attn[:, :, 1:, 1:] += rel` (relative
    /// positions) and `x[:, :, 1:, :] += q[:, :, 1:, :]` (the pooled residual), each a Slice, an
    /// Add and ScatterND into transposed copies, plus the unchanged write-backs functionalisation
    /// leaves after them — import as one `BlockAdd` per add and nothing for the write-backs:
    /// tiny MViT v2 has 3 blocks, so 6 BlockAdds and no ScatterND left.
    @Test func dynamoSliceAddsBecomeBlockAdds() throws {
        let fixture = try #require(ZooFixture.all.first { $0.onnx == "tiny_mvit_v2_dynamo.onnx" })
        let graph = try ONNXImporter.read(path: fixture.path(fixture.onnx)).graph
        let blockAdds = graph.nodes.compactMap { $0.op as? BlockAdd }
        #expect(blockAdds.map(\.offsets) == Array(repeating: [[0, 0, 1, 1], [0, 0, 1, 0]], count: 3).flatMap { $0 })
        #expect(!graph.nodes.contains { $0.op is ScatterRows })
    }
}
