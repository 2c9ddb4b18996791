import Foundation
import Testing
import STCore
import TestSupport
@testable import STIO

/// x − 5 for x = 1…9 as a 1×1×3×3 image: [[-4, -3, -2], [-1, 0, 1], [2, 3, 4]].
private let centredImage = Tensor(shape: [1, 1, 3, 3], scalars: (1...9).map { Float($0) - 5 })

/// conv1 (2 filters 2×2, torch names) → relu → global average pool → flatten → fc (Gemm, transB).
private func smallCNN(weight: Onnx_TensorProto? = nil) -> ONNXModelBuilder {
    var model = ONNXModelBuilder()
    model.input("input", shape: [nil, 1, 3, 3])
    model.initializer(weight ?? floatTensor("conv1.weight", shape: [2, 1, 2, 2], [1, 0, 0, 1, 0, -1, -1, 0]))
    model.initializer("conv1.bias", shape: [2], floats: [0, 1])
    model.initializer("fc.weight", shape: [3, 2], floats: [1, 0, 0, 1, 1, -1])
    model.initializer("fc.bias", shape: [3], floats: [0.5, 0, -1])
    model.node("Conv", ["input", "conv1.weight", "conv1.bias"], ["/conv1/Conv_output_0"], name: "/conv1/Conv",
               [intsAttribute("kernel_shape", [2, 2]), intsAttribute("pads", [0, 0, 0, 0])])
    model.node("Relu", ["/conv1/Conv_output_0"], ["/relu/Relu_output_0"], name: "/relu/Relu")
    model.node("GlobalAveragePool", ["/relu/Relu_output_0"], ["/avgpool/GlobalAveragePool_output_0"],
               name: "/avgpool/GlobalAveragePool")
    model.node("Flatten", ["/avgpool/GlobalAveragePool_output_0"], ["/Flatten_output_0"], name: "/Flatten",
               [intAttribute("axis", 1)])
    model.node("Gemm", ["/Flatten_output_0", "fc.weight", "fc.bias"], ["logits"], name: "/fc/Gemm",
               [intAttribute("transB", 1)])
    model.output("logits")
    return model
}

@Suite("ONNX import")
struct ONNXImporterTests {
    /// Filter 0 adds the top-left and bottom-right of each 2×2 window: −4, −2, 2, 4 → ReLU
    /// 0, 0, 2, 4 → mean 1.5. Filter 1 is −(top-right + bottom-left) + 1: 5, 3, −1, −3 → ReLU
    /// 5, 3, 0, 0 → mean 2. fc: [1.5 + 0.5, 2 + 0, 1.5 − 2 − 1] = [2, 2, −1.5].
    @Test func convReluPoolGemmMatchesHandComputedLogits() throws {
        let model = try importONNXModel(smallCNN())
        expectClose(try onnxOutput(model, centredImage), shape: [1, 3], [2, 2, -1.5], .absolute(1e-5))
        #expect(model.graph.nodes.map(\.name) == ["/conv1/Conv", "/relu/Relu", "/avgpool/GlobalAveragePool", "/Flatten", "/fc/Gemm"])
        #expect(Set(model.graph.parameters.keys) == ["conv1.weight", "conv1.bias", "fc.weight", "fc.bias"])
        #expect(model.opsetVersion == 17 && model.producer == "stexplain-tests" && model.outputNames == ["logits"])
    }

    @Test func torchScopesBecomeModuleAliasesAndTheOutputNameToo() throws {
        let graph = try importONNXModel(smallCNN()).graph
        #expect(try graph.resolve("conv1") == "/conv1/Conv")
        #expect(try graph.resolve("avgpool") == "/avgpool/GlobalAveragePool")
        #expect(try graph.resolve("logits") == "/fc/Gemm")
    }

    @Test func symbolicBatchImportsAtOneAndRunsAtAnyBatch() throws {
        let model = try importONNXModel(smallCNN())
        #expect(model.graph.inputs[0].shape == [1, 1, 3, 3])
        let pair = Tensor(shape: [2, 1, 3, 3], scalars: centredImage.scalars + centredImage.scalars)
        expectClose(try onnxOutput(model, pair), shape: [2, 3], [2, 2, -1.5, 2, 2, -1.5], .absolute(1e-5))
    }

    /// `x.view(x.size(0), -1)` as torch exports it with a dynamic batch: Shape → Gather(0) →
    /// Cast → Unsqueeze → Concat(·, [-1]) → Reshape. Everything but the Reshape folds, and its
    /// target [1, −1] keeps the batch free as [0, −1].
    @Test func reshapeChainFromShapeGatherConcatFoldsToOneNode() throws {
        var model = ONNXModelBuilder(opset: 13)
        model.input("x", shape: [nil, 2, 2, 2])
        model.constant("zero", shape: [], int64s: [0])
        model.constant("axes", shape: [1], int64s: [0])
        model.constant("minus_one", shape: [1], int64s: [-1])
        model.node("Shape", ["x"], ["shape"], name: "/Shape")
        model.node("Gather", ["shape", "zero"], ["batch"], name: "/Gather", [intAttribute("axis", 0)])
        model.node("Cast", ["batch"], ["batch_int"], name: "/Cast", [intAttribute("to", 7)])
        model.node("Unsqueeze", ["batch_int", "axes"], ["batch_vector"], name: "/Unsqueeze")
        model.node("Concat", ["batch_vector", "minus_one"], ["target"], name: "/Concat", [intAttribute("axis", 0)])
        model.node("Reshape", ["x", "target"], ["y"], name: "/Reshape")
        model.output("y")
        let imported = try importONNXModel(model)
        #expect(imported.graph.nodes.map(\.name) == ["/Reshape"])
        #expect((imported.graph.nodes[0].op as? Reshape)?.target == [0, -1])
        #expect(imported.foldedNodeCount == 8)
        let values = (0..<16).map(Float.init)
        expectClose(try onnxOutput(imported, Tensor(shape: [2, 2, 2, 2], scalars: values)), shape: [2, 8], values,
                    .absolute(1e-5))
    }

    /// Every unsupported op type is listed once with its first node, including ops downstream
    /// of another unsupported one, and a supported op used in a way the engine cannot compute.
    @Test func unsupportedOperatorsAreListedTogether() throws {
        var model = ONNXModelBuilder()
        model.input("x", shape: [1, 4])
        model.node("LeakyRelu", ["x"], ["a"], name: "/features/LeakyRelu", [floatAttribute("alpha", -0.1)])
        model.node("Sinh", ["a"], ["b"], name: "/Sinh")
        model.node("Sinh", ["b"], ["c"], name: "/Sinh_1")
        model.node("Relu", ["x"], ["d"], name: "/Relu")
        model.node("Gather", ["x", "d"], ["e"], name: "/Gather", [intAttribute("axis", 1)])
        model.node("Add", ["c", "e"], ["y"], name: "/Add")
        model.output("y")
        let error = badInput { _ = try importONNXModel(model) }
        #expect(error?.file == "test.onnx")
        #expect(error?.reason == "unsupported operators: LeakyRelu (node /features/LeakyRelu: negative slope -0.1), Sinh (node /Sinh), "
                + "Gather (node /Gather: its indices are computed at run time)")
    }

    /// LeakyRelu with α = 0.1 on (−2, 3): (−0.2, 3).
    @Test func leakyReluKeepsItsSlope() throws {
        var model = ONNXModelBuilder()
        model.input("x", shape: [1, 2])
        model.node("LeakyRelu", ["x"], ["y"], name: "/act", [floatAttribute("alpha", 0.1)])
        model.output("y")
        let graph = try importONNXModel(model).graph
        let y = try graph.forward(Tensor(shape: [1, 2], scalars: [-2, 3])).output
        #expect(abs(y.scalars[0] + 0.2) < 1e-6 && y.scalars[1] == 3)
    }

    @Test func truncatedOrCorruptFilesAreBadInput() throws {
        let bytes = try smallCNN().serialized()
        let truncated = badInput { _ = try ONNXImporter.model(from: bytes.prefix(bytes.count / 2), source: "cut.onnx") }
        #expect(truncated?.file == "cut.onnx")
        #expect(truncated?.reason.hasPrefix("not an ONNX model: the protobuf is truncated or corrupt") == true)
        let garbage = badInput { _ = try ONNXImporter.model(from: Data([0xff, 0xff, 0xff, 0xff]), source: "junk.onnx") }
        #expect(garbage?.reason.hasPrefix("not an ONNX model") == true)
        let empty = badInput { _ = try ONNXImporter.model(from: Data(), source: "empty.onnx") }
        #expect(empty?.reason == "not an ONNX model: it holds no graph nodes")
    }

    @Test func readingAMissingFileNamesIt() {
        let error = badInput { _ = try ONNXImporter.read(path: "/nonexistent/model.onnx") }
        #expect(error?.file == "/nonexistent/model.onnx")
    }

    @Test func opsetsOutsideElevenToTwentyOneAreRejected() throws {
        var model = smallCNN()
        model.opset = 9
        let error = badInput { _ = try importONNXModel(model) }
        #expect(error?.reason == "opset 9 is outside the supported 11–21; export with opset_version in that range")
    }

    /// The conv weight of `smallCNN` as IEEE half floats in raw data: 1 = 0x3C00, 0 = 0x0000,
    /// −1 = 0xBC00; the logits must be the float32 model's.
    @Test func float16InitializersAreConverted() throws {
        var weight = Onnx_TensorProto()
        weight.name = "conv1.weight"
        weight.dims = [2, 1, 2, 2]
        weight.dataType = Int32(Onnx_TensorProto.DataType.float16.rawValue)
        weight.rawData = Data(littleEndianBytes([UInt16(0x3C00), 0, 0, 0x3C00, 0, 0xBC00, 0xBC00, 0]))
        let model = try importONNXModel(smallCNN(weight: weight))
        expectClose(try onnxOutput(model, centredImage), shape: [1, 3], [2, 2, -1.5], .absolute(1e-5))
    }

    /// Half-float bit patterns with hand-derived values: 0x3555 = 2⁻²·(1 + 341/1024) ≈ 0.33325,
    /// the largest normal 0x7BFF = 65504, the smallest subnormal 0x0001 = 2⁻²⁴, −2 = 0xC000.
    @Test func halfFloatBitPatternsDecode() {
        #expect(ONNXTensorDecoding.float(fromHalf: 0x3555) == 0.25 * (1 + 341 / 1024))
        #expect(ONNXTensorDecoding.float(fromHalf: 0x7BFF) == 65504)
        #expect(ONNXTensorDecoding.float(fromHalf: 0x0001) == 0x1p-24)
        #expect(ONNXTensorDecoding.float(fromHalf: 0xC000) == -2)
        #expect(ONNXTensorDecoding.float(fromHalf: 0xFC00) == -.infinity)
        #expect(ONNXTensorDecoding.float(fromHalf: 0x7E00).isNaN)
    }

    @Test func nanWeightsNameTheInitializer() throws {
        var model = smallCNN()
        model.graph.initializer[3] = floatTensor("fc.bias", shape: [3], [0, .nan, 1])
        let error = badInput { _ = try importONNXModel(model) }
        #expect(error?.reason == "initializer 'fc.bias' holds NaN values")
    }

    /// `torch.onnx.export(..., export_params=False)` lists the weights as graph inputs.
    @Test func weightsAsGraphInputsMeanTheModelCarriesNoWeights() throws {
        var model = smallCNN()
        model.graph.initializer.removeFirst()
        model.input("conv1.weight", shape: [2, 1, 2, 2])
        let error = badInput { _ = try importONNXModel(model) }
        #expect(error?.reason == "node '/conv1/Conv' (Conv) reads its weight from the graph input 'conv1.weight', not an initializer:"
                + " the model carries no weights (export it with export_params=True)")
    }

    @Test func externalDataIsReadBesideTheModelAndAMissingFileIsNamed() throws {
        let directory = try ScratchDirectory()
        defer { directory.remove() }
        var weight = Onnx_TensorProto()
        weight.name = "conv1.weight"
        weight.dims = [2, 1, 2, 2]
        weight.dataType = Int32(Onnx_TensorProto.DataType.float.rawValue)
        weight.dataLocation = .external
        weight.externalData = [("location", "weights.bin"), ("offset", "4")].map { key, value in
            var entry = Onnx_StringStringEntryProto()
            (entry.key, entry.value) = (key, value)
            return entry
        }
        let path = directory.file("model.onnx")
        try smallCNN(weight: weight).serialized().write(to: URL(fileURLWithPath: path))
        let missing = badInput { _ = try ONNXImporter.read(path: path) }
        #expect(missing?.file == path)
        #expect(missing?.reason.hasPrefix("initializer 'conv1.weight' is stored in the external-data file 'weights.bin', which is missing") == true)
        let padding: [Float] = [99]
        try Data(float32Bytes(padding + [1, 0, 0, 1, 0, -1, -1, 0])).write(to: URL(fileURLWithPath: directory.file("weights.bin")))
        expectClose(try onnxOutput(try ONNXImporter.read(path: path), centredImage), shape: [1, 3], [2, 2, -1.5],
                    .absolute(1e-5))
    }

    @Test func undefinedValuesAreReportedWithTheNode() throws {
        var model = smallCNN()
        model.graph.initializer.removeFirst()
        let error = badInput { _ = try importONNXModel(model) }
        #expect(error?.reason.hasPrefix("node '/conv1/Conv' (Conv): reads 'conv1.weight', which no earlier node, graph input or initializer produces") == true)
    }

    /// Corrupted copies of a valid model (1–4 random bytes overwritten, seeded) either import
    /// or fail with an `STError`; none may trap. Most land in weights and import fine; the rest
    /// exercise the protobuf decoder and every shape check.
    @Test func randomlyCorruptedModelsNeverCrash() throws {
        let valid = [UInt8](try smallCNN().serialized())
        var generator = SeededGenerator(seed: 8)
        var failures = 0
        for _ in 0..<ONNXImporterTests.corruptionTrials {
            var bytes = valid
            for _ in 0..<Int.random(in: 1...4, using: &generator) {
                bytes[Int.random(in: 0..<bytes.count, using: &generator)] = UInt8.random(in: 0...255, using: &generator)
            }
            do {
                _ = try ONNXImporter.model(from: Data(bytes), source: "corrupt.onnx")
            } catch is STError {
                failures += 1
            }
        }
        #expect(failures > 0)
    }

    static let corruptionTrials = 400
}
