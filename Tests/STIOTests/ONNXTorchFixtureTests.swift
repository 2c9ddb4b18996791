import Foundation
import Testing
import STCore
@testable import STIO

/// Tests/Fixtures/onnx/, written by scripts/onnx/export-fixtures.py with torch.onnx.export.
private let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("Fixtures/onnx")

private func fixture(_ name: String) -> String {
    fixtures.appendingPathComponent(name).path
}

/// Records an issue unless `model`'s output for the fixture `input` has the shape of the fixture
/// `logits` and is within 1e-4 of it everywhere.
private func expectPyTorchLogits(_ model: ImportedModel, input: String, logits: String,
                                 sourceLocation: SourceLocation = #_sourceLocation) throws {
    let expected = try NPY.read(path: fixture(logits))
    let output = try model.graph.forward(try NPY.read(path: fixture(input)),
                                         options: ForwardOptions(observe: [], differentiable: false)).output
    #expect(output.shape == expected.shape, sourceLocation: sourceLocation)
    let largestError = zip(output.scalars, expected.scalars).map { abs($0 - $1) }.max() ?? .infinity
    #expect(largestError < 1e-4, "largest |ONNX import − PyTorch| = \(largestError)", sourceLocation: sourceLocation)
}

/// A tiny torchvision-style 3D ResNet exported by PyTorch three ways, and a small sequence
/// classifier with padding, a division and a bidirectional LSTM; each import must give PyTorch's
/// logits for the stored input (checked by the script against onnx's reference evaluator too).
@Suite("ONNX import of torch.onnx.export fixtures")
struct ONNXTorchFixtureTests {
    static let exports = ["tiny_r3d.onnx", "tiny_r3d_unfolded.onnx", "tiny_r3d_dynamo.onnx"]

    @Test(arguments: exports)
    func importedModelReproducesPyTorchLogits(file: String) throws {
        try expectPyTorchLogits(try ONNXImporter.read(path: fixture(file)), input: "tiny_r3d_input.npy", logits: "tiny_r3d_logits.npy")
    }

    /// The exports declare a symbolic batch; the folded `x.view(x.size(0), -1)` keeps it free.
    @Test(arguments: exports)
    func aBatchOfTwoGivesEachClipsLogits(file: String) throws {
        let model = try ONNXImporter.read(path: fixture(file))
        let clip = try NPY.read(path: fixture("tiny_r3d_input.npy"))
        let expected = try NPY.read(path: fixture("tiny_r3d_logits.npy")).scalars
        let pair = Tensor(shape: [2] + clip.shape.dropFirst(), scalars: clip.scalars + clip.scalars)
        let logits = try model.graph.forward(pair, options: ForwardOptions(observe: [], differentiable: false)).output
        #expect(logits.shape == [2, expected.count])
        let largestError = zip(logits.scalars, expected + expected).map { abs($0 - $1) }.max() ?? .infinity
        #expect(largestError < 1e-4)
    }

    /// Without constant folding PyTorch keeps BatchNormalization and state_dict names; node
    /// scopes give the module aliases explainers use (`layer2` is the last block's output).
    @Test func unfoldedExportKeepsStateDictNamesAndModulePaths() throws {
        let graph = try ONNXImporter.read(path: fixture("tiny_r3d_unfolded.onnx")).graph
        #expect(graph.parameters["layer1.0.conv1.weight"]?.shape == [8, 8, 3, 3, 3])
        #expect(graph.parameters["layer1.0.bn1.weight"]?.shape == [8])
        #expect(graph.buffers["layer2.0.downsample.1.running_var"]?.shape == [16])
        #expect(graph.parameters["fc.weight"]?.shape == [5, 16])
        #expect(try graph.resolve("layer2") == "/layer2/layer2.0/relu_1/Relu")
        #expect(try graph.resolve("layer1.0.conv1") == "/layer1/layer1.0/conv1/Conv")
        #expect(try graph.resolve("stem") == "/stem/stem.2/Relu")
    }

    /// The eval export's reshape target is `Shape → Gather → Unsqueeze → Concat`: all folded.
    @Test func evalExportFoldsTheReshapeChain() throws {
        let model = try ONNXImporter.read(path: fixture("tiny_r3d.onnx"))
        #expect(model.producer == "pytorch 2.13.0" && model.opsetVersion == 17)
        #expect(!model.graph.nodes.contains { ["Shape", "Gather", "Concat"].contains($0.op.typeName) })
        #expect(model.foldedNodeCount == 7)
        #expect((try model.graph.node(named: "/Reshape").op as? Reshape)?.target == [0, -1])
    }

    /// A 1D sequence classifier whose export needs the ops behind Pad, Div and LSTM: reflect and
    /// edge Pad nodes (their pads computed by a Slice/Transpose/Cast chain that folds away), a
    /// Div by Σ_c h² + 1 (a Reciprocal node), and a bidirectional LSTM whose Y and Y_h both feed
    /// the classifier. The import must give PyTorch's logits.
    @Test func padDivisionAndBidirectionalLSTMReproducePyTorchLogits() throws {
        let model = try ONNXImporter.read(path: fixture("pad_norm_bilstm.onnx"))
        try expectPyTorchLogits(model, input: "pad_norm_bilstm_input.npy", logits: "pad_norm_bilstm_logits.npy")
        let types = Set(model.graph.nodes.map(\.op.typeName))
        #expect(types.isSuperset(of: ["Pad", "Reciprocal", "LSTM", "IndexSelect"]), "\(types)")
    }
}
