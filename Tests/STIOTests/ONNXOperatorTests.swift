import Foundation
import Testing
import STCore
import TestSupport
@testable import STIO

private func output(of builder: ONNXModelBuilder, _ input: Tensor) throws -> Tensor {
    try onnxOutput(try importONNXModel(builder), input)
}

/// The largest int64, which PyTorch writes as an open slice end.
private let int64Max = Int(Int64.max)

@Suite("ONNX operator conversion")
struct ONNXOperatorTests {
    /// y = (x − μ)/√(σ² + ε)·γ + β with ε = 1: channel 0 (1 − 1)/2·2 + 0 = 0, channel 1
    /// (2 − 0)/1·1 + 1 = 3; Dropout and Identity pass it through in inference.
    @Test func batchNormDropoutIdentity() throws {
        var model = ONNXModelBuilder()
        model.input("x", shape: [1, 2, 1, 1])
        model.initializer("bn.weight", shape: [2], floats: [2, 1])
        model.initializer("bn.bias", shape: [2], floats: [0, 1])
        model.initializer("bn.running_mean", shape: [2], floats: [1, 0])
        model.initializer("bn.running_var", shape: [2], floats: [3, 0])
        model.initializer("ratio", shape: [], floats: [0.25])
        model.node("BatchNormalization", ["x", "bn.weight", "bn.bias", "bn.running_mean", "bn.running_var"], ["a"],
                   name: "/bn/BatchNormalization", [floatAttribute("epsilon", 1), floatAttribute("momentum", 0.9)])
        model.node("Dropout", ["a", "ratio"], ["b"], name: "/dropout/Dropout")
        model.node("Identity", ["b"], ["y"], name: "/Identity")
        model.output("y")
        let imported = try importONNXModel(model)
        expectClose(try output(of: model, Tensor(shape: [1, 2, 1, 1], scalars: [1, 2])), shape: [1, 2, 1, 1], [0, 3],
                    .absolute(1e-5))
        #expect(Set(imported.graph.parameters.keys) == ["bn.weight", "bn.bias"])
        #expect(Set(imported.graph.buffers.keys) == ["bn.running_mean", "bn.running_var"])
        let dropout = try imported.graph.node(named: "/dropout/Dropout").op as? Dropout
        #expect(dropout?.probability == 0.25)
        #expect(abs(((try imported.graph.node(named: "/bn/BatchNormalization").op as? BatchNorm)?.momentum ?? 0) - 0.1) < 1e-6)
    }

    /// x = [1, 2, 3]: x − offset (a trained initializer [1, 1, 1]) = [0, 1, 2]; / 2 = [0, 0.5, 1];
    /// ReduceSum over axis 1 = 1.5; − 0.5 (a Constant node) = 1.
    @Test func subDivReduceSumWithConstantsAndInitializers() throws {
        var model = ONNXModelBuilder()
        model.input("x", shape: [1, 3])
        model.initializer("offset", shape: [3], floats: [1, 1, 1])
        model.node("Constant", [], ["two"], [tensorAttribute("value", floatTensor("", shape: [], [2]))])
        model.node("Constant", [], ["half"], [floatAttribute("value_float", 0.5)])
        model.constant("axes", shape: [1], int64s: [1])
        model.node("Sub", ["x", "offset"], ["a"], name: "/Sub")
        model.node("Div", ["a", "two"], ["b"], name: "/Div")
        model.node("ReduceSum", ["b", "axes"], ["c"], name: "/ReduceSum", [intAttribute("keepdims", 0)])
        model.node("Sub", ["c", "half"], ["y"], name: "/Sub_1")
        model.output("y")
        expectClose(try output(of: model, Tensor(shape: [1, 3], scalars: [1, 2, 3])), shape: [1], [1], .absolute(1e-5))
        #expect(try importONNXModel(model).graph.parameters.keys.sorted() == ["offset"])
    }

    /// x = ln [1, 2, 3, 4] as 1×2×2. Opset 11 Softmax(axis 1) normalises everything from axis 1
    /// on: [1, 2, 3, 4]/10. Opset 13 normalises along axis 1 only: columns (1, 3) and (2, 4) give
    /// [[1/4, 1/3], [3/4, 2/3]].
    @Test(arguments: [(11, [0.1, 0.2, 0.3, 0.4]), (13, [0.25, 1.0 / 3, 0.75, 2.0 / 3])] as [(Int, [Float])])
    func softmaxFollowsTheOpsetsAxisSemantics(opset: Int, expected: [Float]) throws {
        var model = ONNXModelBuilder(opset: Int64(opset))
        model.input("x", shape: [1, 2, 2])
        model.node("Softmax", ["x"], ["y"], name: "/Softmax", [intAttribute("axis", 1)])
        model.output("y")
        expectClose(try output(of: model, Tensor(shape: [1, 2, 2], scalars: [1, 2, 3, 4].map { log(Float($0)) })),
                    shape: [1, 2, 2], expected, .absolute(1e-5))
    }

    /// log softmax of [0, ln 3] = log [1/4, 3/4] = [−ln 4, ln 3/4].
    @Test func logSoftmaxAlongTheLastAxis() throws {
        var model = ONNXModelBuilder()
        model.input("x", shape: [1, 2])
        model.node("LogSoftmax", ["x"], ["y"], name: "/LogSoftmax")
        model.output("y")
        expectClose(try output(of: model, Tensor(shape: [1, 2], scalars: [0, log(3)])), shape: [1, 2],
                    [-log(4), log(0.75)], .absolute(1e-5))
    }

    /// x = [[1, 2], [3, 4], [5, 6]] (1×3×2). Transpose → [[1, 3, 5], [2, 4, 6]]; Gather(axis 2,
    /// −1) → [5, 6]; Slice(axis 2, 0:3:2) → [[1, 5], [2, 6]], mean over axis 2 → [3, 4];
    /// sum [8, 10]; Unsqueeze(0) then Squeeze(0) keep it; Flatten(0) → 1×2.
    @Test func transposeGatherSliceReduceMeanSqueezeUnsqueezeFlatten() throws {
        var model = ONNXModelBuilder()
        model.input("x", shape: [1, 3, 2])
        model.constant("last", shape: [], int64s: [-1])
        model.constant("starts", shape: [1], int64s: [0])
        model.constant("ends", shape: [1], int64s: [int64Max])
        model.constant("axes", shape: [1], int64s: [2])
        model.constant("steps", shape: [1], int64s: [2])
        model.constant("zero", shape: [1], int64s: [0])
        model.node("Transpose", ["x"], ["t"], name: "/Transpose", [intsAttribute("perm", [0, 2, 1])])
        model.node("Gather", ["t", "last"], ["g"], name: "/Gather", [intAttribute("axis", 2)])
        model.node("Slice", ["t", "starts", "ends", "axes", "steps"], ["s"], name: "/Slice")
        model.node("ReduceMean", ["s"], ["m"], name: "/ReduceMean", [intsAttribute("axes", [2]), intAttribute("keepdims", 0)])
        model.node("Add", ["g", "m"], ["a"], name: "/Add")
        model.node("Unsqueeze", ["a", "zero"], ["u"], name: "/Unsqueeze")
        model.node("Squeeze", ["u", "zero"], ["q"], name: "/Squeeze")
        model.node("Flatten", ["q"], ["y"], name: "/Flatten", [intAttribute("axis", 0)])
        model.output("y")
        expectClose(try output(of: model, Tensor(shape: [1, 3, 2], scalars: [1, 2, 3, 4, 5, 6])), shape: [1, 2],
                    [8, 10], .absolute(1e-5))
    }

    /// A zero Pad of one pixel all round feeding a 3×3 all-ones convolution becomes the
    /// convolution's padding: each output sums the whole 2×2 input, 1 + 2 + 3 + 4 = 10.
    @Test func zeroPadIsFoldedIntoTheFollowingConv() throws {
        var model = ONNXModelBuilder()
        model.input("x", shape: [1, 1, 2, 2])
        model.initializer("pads", shape: [8], int64s: [0, 0, 1, 1, 0, 0, 1, 1])
        model.initializer("conv.weight", shape: [1, 1, 3, 3], floats: Array(repeating: 1, count: 9))
        model.node("Pad", ["x", "pads"], ["p"], name: "/Pad")
        model.node("Conv", ["p", "conv.weight"], ["y"], name: "/conv/Conv")
        model.output("y")
        let imported = try importONNXModel(model)
        #expect(imported.graph.nodes.map(\.name) == ["/conv/Conv"])
        #expect((imported.graph.nodes[0].op as? Convolution)?.geometry.padding == [1, 1])
        expectClose(try output(of: model, Tensor(shape: [1, 1, 2, 2], scalars: [1, 2, 3, 4])), shape: [1, 1, 2, 2],
                    [10, 10, 10, 10], .absolute(1e-5))
    }

    /// x = 1…16 as 4×4. MaxPool 2×2 stride 2 → [[6, 8], [14, 16]] (sum 44). A 3×3 average pool
    /// with padding 1 and stride 2 has one window covering all four: 44/9 counting the padding,
    /// 44/4 = 11 without.
    @Test func maxPoolThenAveragePoolWithAndWithoutCountingPadding() throws {
        var model = ONNXModelBuilder()
        model.input("x", shape: [1, 1, 4, 4])
        model.node("MaxPool", ["x"], ["m"], name: "/MaxPool", [intsAttribute("kernel_shape", [2, 2]), intsAttribute("strides", [2, 2])])
        let average = [intsAttribute("kernel_shape", [3, 3]), intsAttribute("strides", [2, 2]), intsAttribute("pads", [1, 1, 1, 1])]
        model.node("AveragePool", ["m"], ["counted"], name: "/AveragePool", average + [intAttribute("count_include_pad", 1)])
        model.node("AveragePool", ["m"], ["uncounted"], name: "/AveragePool_1", average)
        model.node("Concat", ["counted", "uncounted"], ["y"], name: "/Concat", [intAttribute("axis", 1)])
        model.output("y")
        expectClose(try output(of: model, Tensor(shape: [1, 1, 4, 4], scalars: (1...16).map(Float.init))),
                    shape: [1, 2, 1, 1], [44.0 / 9, 11], .absolute(1e-5))
    }

    /// Graph aggregation nkctv,kvw->nctw with x = [1, 2] over v and A = [[1, 2], [3, 4]]:
    /// [1·1 + 2·3, 1·2 + 2·4] = [7, 10]; then ncti,ij->nctj with [[1], [−1]]: 7 − 10 = −3.
    @Test func einsumGraphAggregationAndBatchedProduct() throws {
        var model = ONNXModelBuilder()
        model.input("x", shape: [1, 1, 1, 1, 2])
        model.initializer("A", shape: [1, 2, 2], floats: [1, 2, 3, 4])
        model.initializer("W", shape: [2, 1], floats: [1, -1])
        model.node("Einsum", ["x", "A"], ["a"], name: "/Einsum", [stringAttribute("equation", "nkctv,kvw->nctw")])
        model.node("Einsum", ["a", "W"], ["y"], name: "/Einsum_1", [stringAttribute("equation", "ncti, ij -> nctj")])
        model.output("y")
        let imported = try importONNXModel(model)
        #expect(try imported.graph.node(named: "/Einsum").op is GraphAggregation)
        #expect(try imported.graph.node(named: "/Einsum_1").op is MatMul)
        expectClose(try output(of: model, Tensor(shape: [1, 1, 1, 1, 2], scalars: [1, 2])), shape: [1, 1, 1, 1], [-3],
                    .absolute(1e-5))
    }

    /// [1, 2]·[[1, 0], [1, 1]] = [3, 2]; + [0.5, −0.5] = [3.5, 1.5]. Both initializers stay
    /// trained parameters under their names, read through `ParameterValue` nodes.
    @Test func matMulAndAddReadInitializersAsParameters() throws {
        var model = ONNXModelBuilder()
        model.input("x", shape: [1, 2])
        model.initializer("proj.weight", shape: [2, 2], floats: [1, 0, 1, 1])
        model.initializer("proj.bias", shape: [2], floats: [0.5, -0.5])
        model.node("MatMul", ["x", "proj.weight"], ["a"], name: "/proj/MatMul")
        model.node("Add", ["a", "proj.bias"], ["y"], name: "/proj/Add")
        model.output("y")
        let imported = try importONNXModel(model)
        #expect(imported.graph.nodes.map(\.name) == ["proj.weight", "/proj/MatMul", "proj.bias", "/proj/Add"])
        #expect(imported.graph.parameters.keys.sorted() == ["proj.bias", "proj.weight"])
        expectClose(try output(of: model, Tensor(shape: [1, 2], scalars: [1, 2])), shape: [1, 2], [3.5, 1.5],
                    .absolute(1e-5))
    }

    /// Gemm without transB, α = 2, β = 0.5: 2·[1, 2]·[[1, 0, 1], [0, 1, 1]] + 0.5·[1, 1, 1] =
    /// 2·[1, 2, 3] + 0.5 = [2.5, 4.5, 6.5]. The transposed, scaled weight is the node's own.
    @Test func gemmTransposesAndScalesIntoLinear() throws {
        var model = ONNXModelBuilder()
        model.input("x", shape: [1, 2])
        model.initializer("B", shape: [2, 3], floats: [1, 0, 1, 0, 1, 1])
        model.initializer("C", shape: [3], floats: [1, 1, 1])
        model.node("Gemm", ["x", "B", "C"], ["y"], name: "/Gemm", [floatAttribute("alpha", 2), floatAttribute("beta", 0.5)])
        model.output("y")
        #expect(try importONNXModel(model).graph.parameters.keys.sorted() == ["/Gemm.bias", "/Gemm.weight"])
        expectClose(try output(of: model, Tensor(shape: [1, 2], scalars: [1, 2])), shape: [1, 3], [2.5, 4.5, 6.5],
                    .absolute(1e-5))
    }

    /// One LSTM unit over x (T = 2, N = 1, one feature) in `direction`: input weight 1 on the
    /// cell gate only, forget/input gates σ(0) = 1/2 and output gate σ(ln 3) = 3/4 (bias), R = 0.
    /// ONNX orders the gate blocks i, o, f, c, so W = [0, 0, 0, 1] and W_b = [0, ln 3, 0, 0]. The
    /// output stacks Y (squeezed to T×N×H) and Y_h.
    func oneUnitLSTM(direction: String) -> ONNXModelBuilder {
        var model = ONNXModelBuilder()
        model.input("x", shape: [2, 1, 1])
        model.initializer("W", shape: [1, 4, 1], floats: [0, 0, 0, 1])
        model.initializer("R", shape: [1, 4, 1], floats: [0, 0, 0, 0])
        model.initializer("B", shape: [1, 8], floats: [0, log(3), 0, 0, 0, 0, 0, 0])
        model.constant("axis1", shape: [1], int64s: [1])
        model.node("LSTM", ["x", "W", "R", "B"], ["Y", "Y_h"], name: "/lstm/LSTM",
                   [intAttribute("hidden_size", 1), stringAttribute("direction", direction)])
        model.node("Squeeze", ["Y", "axis1"], ["sequence"], name: "/Squeeze")
        model.node("Concat", ["sequence", "Y_h"], ["y"], name: "/Concat", [intAttribute("axis", 0)])
        model.output("y")
        return model
    }

    /// `oneUnitLSTM` forward over x = 1, 2:
    ///   c₁ = ½·tanh 1 = 0.3807971, h₁ = ¾·tanh c₁ = 0.2725496,
    ///   c₂ = ½·c₁ + ½·tanh 2 = 0.6724123, h₂ = ¾·tanh c₂ = 0.4399234.
    /// Y = [h₁, h₂], Y_h = h₂.
    @Test func lstmReordersGatesAndBuildsYAndYh() throws {
        let model = oneUnitLSTM(direction: "forward")
        let imported = try importONNXModel(model)
        #expect(imported.graph.parameters.keys.sorted() == ["/lstm/LSTM.bias_hh_l0", "/lstm/LSTM.bias_ih_l0",
                                                             "/lstm/LSTM.weight_hh_l0", "/lstm/LSTM.weight_ih_l0"])
        expectClose(try output(of: model, Tensor(shape: [2, 1, 1], scalars: [1, 2])), shape: [3, 1, 1],
                    [0.2725496, 0.4399234, 0.4399234], .absolute(1e-5))
    }

    /// x = [1, 2, 3] padded by 2 before and 1 after along its last axis, in every mode (opset 17:
    /// pads and constant_value are inputs). A zero pad feeding the graph output becomes the Pad node.
    @Test(arguments: [
        ("reflect", nil, [3, 2, 1, 2, 3, 2]),
        ("edge", nil, [1, 1, 1, 2, 3, 3]),
        ("constant", 5, [5, 5, 1, 2, 3, 5]),
        ("constant", 0, [0, 0, 1, 2, 3, 0]),
    ] as [(String, Float?, [Float])])
    func padThatNothingAbsorbsIsAPadNode(mode: String, value: Float?, expected: [Float]) throws {
        var model = ONNXModelBuilder()
        model.input("x", shape: [1, 1, 1, 3])
        model.initializer("pads", shape: [8], int64s: [0, 0, 0, 2, 0, 0, 0, 1])
        if let value { model.initializer("value", shape: [], floats: [value]) }
        model.node("Pad", ["x", "pads"] + (value == nil ? [] : ["value"]), ["y"], name: "/Pad", [stringAttribute("mode", mode)])
        model.output("y")
        let imported = try importONNXModel(model)
        #expect(imported.graph.nodes.map(\.name) == ["/Pad"])
        expectClose(try onnxOutput(imported, Tensor(shape: [1, 1, 1, 3], scalars: [1, 2, 3])), shape: [1, 1, 1, 6],
                    expected, .absolute(1e-5))
    }

    /// Opset 11 edge-pads the channels of [[1, 2], [3, 4]] (1×2×2) by one before: channel 0
    /// repeats → [[1, 2], [1, 2], [3, 4]]. Opset 18's `axes` input zero-pads only the last axis
    /// by one after, and a Relu reading it gets the Pad node: [[1, 2, 0], [1, 2, 0], [3, 4, 0]].
    @Test func padOfNonSpatialAxesAndPadAxesAcrossOpsets() throws {
        var model = ONNXModelBuilder(opset: 11)
        model.input("x", shape: [1, 2, 2])
        model.initializer("pads", shape: [6], int64s: [0, 1, 0, 0, 0, 0])
        model.node("Pad", ["x", "pads"], ["y"], name: "/Pad", [stringAttribute("mode", "edge")])
        model.output("y")
        let x = Tensor(shape: [1, 2, 2], scalars: [1, 2, 3, 4])
        expectClose(try output(of: model, x), shape: [1, 3, 2], [1, 2, 1, 2, 3, 4], .absolute(1e-5))
        var axes = ONNXModelBuilder(opset: 18)
        axes.input("x", shape: [1, 3, 2])
        axes.initializer("pads", shape: [2], int64s: [0, 1])
        axes.initializer("axes", shape: [1], int64s: [-1])
        axes.node("Pad", ["x", "pads", "", "axes"], ["p"], name: "/Pad")
        axes.node("Relu", ["p"], ["y"], name: "/Relu")
        axes.output("y")
        expectClose(try output(of: axes, Tensor(shape: [1, 3, 2], scalars: [1, 2, 1, 2, 3, 4])), shape: [1, 3, 3],
                    [1, 2, 0, 1, 2, 0, 3, 4, 0], .absolute(1e-5))
    }

    /// x = 1…9 as 3×3 and an all-ones 2×2 kernel: every output sums its window. Padding one row
    /// and column at the end (explicit pads, or SAME_UPPER: (3 − 1) + 2 − 3 = 1 pad, the odd one
    /// at the end) gives windows [i, i+1] × [j, j+1] clipped to the input, e.g. 1+2+4+5 = 12,
    /// 3+6 = 9, 9; SAME_LOWER pads at the beginning: windows [i−1, i] × [j−1, j], e.g. 1, 1+2 = 3.
    @Test(arguments: [
        (intsAttribute("pads", [0, 0, 1, 1]), [12, 16, 9, 24, 28, 15, 15, 17, 9]),
        (stringAttribute("auto_pad", "SAME_UPPER"), [12, 16, 9, 24, 28, 15, 15, 17, 9]),
        (stringAttribute("auto_pad", "SAME_LOWER"), [1, 3, 5, 5, 12, 16, 11, 24, 28]),
    ] as [(Onnx_AttributeProto, [Float])])
    func asymmetricConvPaddingIsAZeroPadThenTheConv(padding: Onnx_AttributeProto, expected: [Float]) throws {
        var model = ONNXModelBuilder()
        model.input("x", shape: [1, 1, 3, 3])
        model.initializer("w", shape: [1, 1, 2, 2], floats: [1, 1, 1, 1])
        model.node("Conv", ["x", "w"], ["y"], name: "/Conv", [padding])
        model.output("y")
        let imported = try importONNXModel(model)
        #expect(imported.graph.nodes.map(\.name) == ["/Conv.pad", "/Conv"])
        #expect((try imported.graph.node(named: "/Conv").op as? Convolution)?.geometry.padding == [0, 0])
        expectClose(try onnxOutput(imported, Tensor(shape: [1, 1, 3, 3], scalars: (1...9).map(Float.init))),
                    shape: [1, 1, 3, 3], expected, .absolute(1e-5))
    }

    /// A zero Pad of one row at the top feeding a Conv with pads (0, 0, 1, 1) (no begin, one end
    /// row and column): rows are padded (1, 1) — symmetric, the convolution's — and columns
    /// (0, 1), left to `<name>.pad`. With x = 1…4 as 2×2 and a 2×2 all-ones kernel the 3×2 output
    /// sums windows of [[0, 0, 0], [1, 2, 0], [3, 4, 0], [0, 0, 0]]: [3, 2, 10, 6, 7, 4].
    @Test func absorbedPadAndConvPaddingCombineBeforeTheSplit() throws {
        var model = ONNXModelBuilder()
        model.input("x", shape: [1, 1, 2, 2])
        model.initializer("pads", shape: [8], int64s: [0, 0, 1, 0, 0, 0, 0, 0])
        model.initializer("w", shape: [1, 1, 2, 2], floats: [1, 1, 1, 1])
        model.node("Pad", ["x", "pads"], ["p"], name: "/Pad")
        model.node("Conv", ["p", "w"], ["y"], name: "/Conv", [intsAttribute("pads", [0, 0, 1, 1])])
        model.output("y")
        let imported = try importONNXModel(model)
        #expect((try imported.graph.node(named: "/Conv").op as? Convolution)?.geometry.padding == [1, 0])
        expectClose(try onnxOutput(imported, Tensor(shape: [1, 1, 2, 2], scalars: [1, 2, 3, 4])), shape: [1, 1, 3, 2],
                    [3, 2, 10, 6, 7, 4], .absolute(1e-5))
    }

    /// 2×2 windows, stride 1, SAME_UPPER over x = 1…6 as 2×3 pad one row and column at the end.
    /// Max pooling of −x: padded positions never win, so the corners are −3, −6 (not 0):
    /// [−1, −2, −3, −4, −5, −6]. Average pooling without counting the padding divides by the
    /// input elements in the window: (1+2+4+5)/4 = 3, (2+3+5+6)/4 = 4, (3+6)/2 = 4.5,
    /// (4+5)/2 = 4.5, (5+6)/2 = 5.5, 6/1 = 6; counting it, always by 4: 3, 4, 2.25, 2.25, 2.75, 1.5.
    @Test func sameUpperPoolingPadsOnlyAtTheEnd() throws {
        var model = ONNXModelBuilder()
        model.input("x", shape: [1, 1, 2, 3])
        model.initializer("minus_one", shape: [1], floats: [-1])
        let window = [intsAttribute("kernel_shape", [2, 2]), intsAttribute("strides", [1, 1]), stringAttribute("auto_pad", "SAME_UPPER")]
        model.node("Mul", ["x", "minus_one"], ["negated"], name: "/Mul")
        model.node("MaxPool", ["negated"], ["maximum"], name: "/MaxPool", window)
        model.node("AveragePool", ["x"], ["uncounted"], name: "/AveragePool", window)
        model.node("AveragePool", ["x"], ["counted"], name: "/AveragePool_1", window + [intAttribute("count_include_pad", 1)])
        model.node("Concat", ["maximum", "uncounted", "counted"], ["y"], name: "/Concat", [intAttribute("axis", 1)])
        model.output("y")
        expectClose(try output(of: model, Tensor(shape: [1, 1, 2, 3], scalars: (1...6).map(Float.init))), shape: [1, 3, 2, 3],
                    [-1, -2, -3, -4, -5, -6, 3, 4, 4.5, 4.5, 5.5, 6, 3, 4, 2.25, 2.25, 2.75, 1.5], .absolute(1e-5))
    }

    /// A zero Pad of one all round makes x = 1…4 (2×2) the 4×4 P = [[0, 0, 0, 0], [0, 1, 2, 0],
    /// [0, 3, 4, 0], [0, 0, 0, 0]]; a 3×3 average pool with its own uncounted padding 1 then
    /// averages the elements of P in each window: corner (0, 0) sums 0 + 0 + 0 + 1 over 4, an
    /// edge 3/6, the centre 10/9. Only the Pad's zeros count, so the Pad stays a node.
    @Test func averagePoolKeepsAPadWhoseZerosCountApart() throws {
        var model = ONNXModelBuilder()
        model.input("x", shape: [1, 1, 2, 2])
        model.initializer("pads", shape: [8], int64s: [0, 0, 1, 1, 0, 0, 1, 1])
        model.node("Pad", ["x", "pads"], ["p"], name: "/Pad")
        model.node("AveragePool", ["p"], ["y"], name: "/AveragePool",
                   [intsAttribute("kernel_shape", [3, 3]), intsAttribute("pads", [1, 1, 1, 1])])
        model.output("y")
        let imported = try importONNXModel(model)
        #expect(imported.graph.nodes.map(\.name) == ["/Pad", "/AveragePool"])
        expectClose(try onnxOutput(imported, Tensor(shape: [1, 1, 2, 2], scalars: [1, 2, 3, 4])), shape: [1, 1, 4, 4],
                    [1.0 / 4, 0.5, 0.5, 0.5, 4.0 / 6, 10.0 / 9, 10.0 / 9, 1, 4.0 / 6, 10.0 / 9, 10.0 / 9, 1, 0.75, 7.0 / 6, 7.0 / 6, 1],
                    .absolute(1e-5))
    }

    /// x = [1, 2, 3] divided by its squared norm Σx² = 14 (ReduceSum of x·x): [1, 2, 3]/14 through
    /// a Reciprocal node; ONNX's own Reciprocal of x: [1, 1/2, 1/3].
    @Test func divisionByAComputedTensorAndReciprocal() throws {
        var model = ONNXModelBuilder()
        model.input("x", shape: [1, 3])
        model.constant("axes", shape: [1], int64s: [1])
        model.node("Mul", ["x", "x"], ["square"], name: "/Mul")
        model.node("ReduceSum", ["square", "axes"], ["norm"], name: "/ReduceSum")
        model.node("Div", ["x", "norm"], ["scaled"], name: "/Div")
        model.node("Reciprocal", ["x"], ["inverse"], name: "/Reciprocal")
        model.node("Concat", ["scaled", "inverse"], ["y"], name: "/Concat", [intAttribute("axis", 1)])
        model.output("y")
        let imported = try importONNXModel(model)
        #expect(try imported.graph.node(named: "/Div.reciprocal").op is Reciprocal)
        expectClose(try onnxOutput(imported, Tensor(shape: [1, 3], scalars: [1, 2, 3])), shape: [1, 6],
                    [1.0 / 14, 2.0 / 14, 3.0 / 14, 1, 0.5, 1.0 / 3], .absolute(1e-5))
    }

    /// x = [[0, 1, 2, 3], [4, 5, 6, 7]] gathered along axis 1 by constant indices of any pattern:
    /// picked column by column from each row; 2-D indices [[0, 3], [1, 1]] give x[:, idx] of shape
    /// 2×2×2. A contiguous run stays a Slice.
    @Test(arguments: [
        ([3, 1], [2], [2, 2], [3, 1, 7, 5], "IndexSelect"),
        ([2, 2, 0], [3], [2, 3], [2, 2, 0, 6, 6, 4], "IndexSelect"),
        ([-1, -2, -3, -4], [4], [2, 4], [3, 2, 1, 0, 7, 6, 5, 4], "IndexSelect"),
        ([0, 3, 1, 1], [2, 2], [2, 2, 2], [0, 3, 1, 1, 4, 7, 5, 5], "IndexSelect"),
        ([1, 2], [2], [2, 2], [1, 2, 5, 6], "Slice"),
    ] as [([Int], [Int], [Int], [Float], String)])
    func gatherWithConstantIndicesOfAnyPattern(indices: [Int], indicesShape: [Int], shape: [Int], expected: [Float],
                                               opType: String) throws {
        var model = ONNXModelBuilder()
        model.input("x", shape: [2, 4])
        model.initializer("indices", shape: indicesShape, int64s: indices)
        model.node("Gather", ["x", "indices"], ["y"], name: "/Gather", [intAttribute("axis", 1)])
        model.output("y")
        let imported = try importONNXModel(model)
        #expect(try imported.graph.node(named: "/Gather").op.typeName == opType)
        expectClose(try onnxOutput(imported, Tensor(shape: [2, 4], scalars: (0..<8).map(Float.init))), shape: shape,
                    expected, .absolute(1e-5))
    }

    /// `oneUnitLSTM` in reverse over x = (1, 2): it reads 2 first, c = ½·tanh 2 = 0.4820138,
    /// h = ¾·tanh c = 0.3358912, then 1, c′ = ½·c + ½·tanh 1 = 0.6218040, h′ = ¾·tanh c′ =
    /// 0.4142871. Y in X's time order is [h′, h] and Y_h, the state after the whole (reversed)
    /// sequence, is h′.
    @Test func reverseLSTMReadsTheSequenceBackwards() throws {
        expectClose(try output(of: oneUnitLSTM(direction: "reverse"), Tensor(shape: [2, 1, 1], scalars: [1, 2])), shape: [3, 1, 1],
                    [0.4142871, 0.3358912, 0.4142871], .absolute(1e-5))
    }

    /// A bidirectional LSTM (T = 3, N = 2, in = 3, H = 2, random weights and biases) against the
    /// ONNX equations evaluated by `ReferenceONNXLSTM` below, for both layouts: Y (T, 2, N, H)
    /// (layout 1: (N, T, 2, H)) reshaped to (T·2, N, H) and Y_h (2, N, H) (layout 1: (N, 2, H))
    /// concatenated after it.
    @Test(arguments: [0, 1])
    func bidirectionalLSTMStacksBothDirections(layout: Int) throws {
        let (steps, batch, inputSize, hidden) = (3, 2, 3, 2)
        let w = Tensor.randomNormal(shape: [2, 4 * hidden, inputSize], std: 0.5, seed: 31).scalars
        let r = Tensor.randomNormal(shape: [2, 4 * hidden, hidden], std: 0.5, seed: 32).scalars
        let b = Tensor.randomNormal(shape: [2, 8 * hidden], std: 0.5, seed: 33).scalars
        let x = Tensor.randomNormal(shape: [steps, batch, inputSize], seed: 34)
        var model = ONNXModelBuilder()
        model.input("x", shape: layout == 0 ? [steps, batch, inputSize] : [batch, steps, inputSize])
        model.initializer("W", shape: [2, 4 * hidden, inputSize], floats: w)
        model.initializer("R", shape: [2, 4 * hidden, hidden], floats: r)
        model.initializer("B", shape: [2, 8 * hidden], floats: b)
        model.constant("flat", shape: [3], int64s: layout == 0 ? [2 * steps, batch, hidden] : [batch, 2 * steps, hidden])
        model.node("LSTM", ["x", "W", "R", "B"], ["Y", "Y_h"], name: "/lstm/LSTM",
                   [intAttribute("hidden_size", hidden), stringAttribute("direction", "bidirectional"), intAttribute("layout", layout)])
        model.node("Reshape", ["Y", "flat"], ["sequence"], name: "/Reshape")
        model.node("Concat", ["sequence", "Y_h"], ["y"], name: "/Concat", [intAttribute("axis", layout)])
        model.output("y")
        let imported = try importONNXModel(model)
        #expect(imported.graph.parameters["/lstm/LSTM.weight_ih_l0_reverse"]?.shape == [4 * hidden, inputSize])
        // Per direction d and sample n: the states h_t (t in X's order) of the reference LSTM.
        var states = [[[[Float]]]](repeating: [], count: 2)
        for direction in 0..<2 {
            let weights = ReferenceONNXLSTM(w: w, r: r, b: b, direction: direction, inputSize: inputSize, hidden: hidden)
            for n in 0..<batch {
                let sequence = (0..<steps).map { t in (0..<inputSize).map { x[t, n, $0] } }
                states[direction].append(direction == 0 ? weights.run(sequence)
                                                        : Array(weights.run(sequence.reversed()).reversed()))
            }
        }
        // Y_h: the forward state after t = T−1, the reverse one after reading back to t = 0.
        let last = { (direction: Int, n: Int) in states[direction][n][direction == 0 ? steps - 1 : 0] }
        var expected: [Float] = []
        if layout == 0 {
            for t in 0..<steps { for d in 0..<2 { for n in 0..<batch { expected += states[d][n][t] } } }
            for d in 0..<2 { for n in 0..<batch { expected += last(d, n) } }
        } else {
            for n in 0..<batch {
                for t in 0..<steps { for d in 0..<2 { expected += states[d][n][t] } }
                for d in 0..<2 { expected += last(d, n) }
            }
        }
        let input = layout == 0 ? x : Tensor(shape: [batch, steps, inputSize], scalars: (0..<batch).flatMap { n in
            (0..<steps).flatMap { t in (0..<inputSize).map { x[t, n, $0] } }
        })
        expectClose(try onnxOutput(imported, input), shape: layout == 0 ? [2 * steps + 2, batch, hidden] : [batch, 2 * steps + 2, hidden],
                    expected, .absolute(1e-5))
    }

    /// Supported op types used in ways the engine cannot compute are listed with the reason.
    @Test func supportedOpsBeyondTheEngineAreListedWithTheirReason() throws {
        var model = ONNXModelBuilder()
        model.input("x", shape: [1, 1, 4, 4])
        model.initializer("crop", shape: [8], int64s: [0, 0, -1, 0, 0, 0, 0, 0])
        model.node("Pad", ["x", "crop"], ["a"], name: "/Pad")
        model.node("Cast", ["x"], ["b"], name: "/Cast", [intAttribute("to", 7)])
        model.node("Relu", ["x"], ["picks"], name: "/Relu")
        model.node("Gather", ["x", "picks"], ["c"], name: "/Gather", [intAttribute("axis", 3)])
        model.node("AveragePool", ["x"], ["d"], name: "/AveragePool",
                   [intsAttribute("kernel_shape", [2, 2]), intsAttribute("pads", [0, 0, 1, 1]), intAttribute("ceil_mode", 1)])
        model.node("Einsum", ["x"], ["e"], name: "/Einsum", [stringAttribute("equation", "bcii->bci")])
        model.node("Concat", ["a", "b", "c", "d", "e"], ["y"], name: "/Concat", [intAttribute("axis", 1)])
        model.output("y")
        let error = badInput { _ = try importONNXModel(model) }
        #expect(error?.reason == "unsupported operators: "
                + "Pad (node /Pad: negative pads [0, 0, -1, 0, 0, 0, 0, 0] (cropping)), "
                + "Cast (node /Cast: a cast of a computed tensor to int64; the engine computes in float32), "
                + "Gather (node /Gather: its indices are computed at run time), "
                + "AveragePool (node /AveragePool: ceil_mode with padding begin [0, 0], end [1, 1] beyond the engine's symmetric padding), "
                + "Einsum (node /Einsum: equation 'bcii->bci'; only two-operand equations with an explicit output are imported)")
    }

    /// Pads far beyond any real model's (here 2⁴⁰, whose output sizes would overflow once
    /// multiplied) are refused with one line, in a Pad and in a Conv's pads alike.
    @Test func oversizedPadsAreMalformed() throws {
        var pad = ONNXModelBuilder()
        pad.input("x", shape: [1, 1, 4, 4])
        pad.initializer("pads", shape: [8], int64s: [0, 0, 1 << 40, 0, 0, 0, 0, 0])
        pad.node("Pad", ["x", "pads"], ["y"], name: "/Pad")
        pad.output("y")
        let padError = badInput { _ = try importONNXModel(pad) }
        #expect(padError?.reason.contains("pads [0, 0, 1099511627776, 0, 0, 0, 0, 0] above 65536") == true)
        var conv = ONNXModelBuilder()
        conv.input("x", shape: [1, 1, 3, 3])
        conv.initializer("w", shape: [1, 1, 2, 2], floats: [1, 1, 1, 1])
        conv.node("Conv", ["x", "w"], ["y"], name: "/Conv", [intsAttribute("pads", [0, 0, 1 << 40, 1])])
        conv.output("y")
        let convError = badInput { _ = try importONNXModel(conv) }
        #expect(convError?.reason.contains("pads [0, 0, 1099511627776, 1] above 65536") == true)
    }

    @Test func operatorsOfOtherDomainsAreUnsupported() throws {
        var model = ONNXModelBuilder()
        model.input("x", shape: [1, 2])
        model.node("Gelu", ["x"], ["y"], name: "/Gelu")
        model.graph.node[0].domain = "com.microsoft"
        model.output("y")
        let error = badInput { _ = try importONNXModel(model) }
        #expect(error?.reason == "unsupported operators: com.microsoft.Gelu (node /Gelu)")
    }
}

/// One direction of an ONNX LSTM for one sample, straight from the operator's equations with
/// gate blocks in ONNX's order i, o, f, c, computed in Double:
///
///     i = σ(W_i x + R_i h + Wb_i + Rb_i),  o = σ(…),  f = σ(…),  c̃ = tanh(W_c x + R_c h + Wb_c + Rb_c)
///     C = f ⊙ C + i ⊙ c̃,   h = o ⊙ tanh C,   h and C starting at 0.
private struct ReferenceONNXLSTM {
    let w: [[Double]], r: [[Double]], bias: [Double]
    let hidden: Int

    /// Direction `direction`'s W `(4H, in)`, R `(4H, H)` and Wb + Rb `(4H)` out of the flat ONNX tensors.
    init(w: [Float], r: [Float], b: [Float], direction: Int, inputSize: Int, hidden: Int) {
        self.hidden = hidden
        let rows = 4 * hidden
        self.w = (0..<rows).map { row in (0..<inputSize).map { Double(w[(direction * rows + row) * inputSize + $0]) } }
        self.r = (0..<rows).map { row in (0..<hidden).map { Double(r[(direction * rows + row) * hidden + $0]) } }
        bias = (0..<rows).map { Double(b[direction * 2 * rows + $0] + b[direction * 2 * rows + rows + $0]) }
    }

    /// The hidden state after each element of `sequence`, in the order read.
    func run<S: Sequence>(_ sequence: S) -> [[Float]] where S.Element == [Float] {
        var h = [Double](repeating: 0, count: hidden), c = h
        var states: [[Float]] = []
        func sigmoid(_ z: Double) -> Double { 1 / (1 + exp(-z)) }
        for x in sequence {
            var z = bias
            for row in z.indices {
                for (weight, value) in zip(w[row], x) { z[row] += weight * Double(value) }
                for (weight, value) in zip(r[row], h) { z[row] += weight * value }
            }
            for k in 0..<hidden {
                let (i, o, f) = (sigmoid(z[k]), sigmoid(z[hidden + k]), sigmoid(z[2 * hidden + k]))
                c[k] = f * c[k] + i * tanh(z[3 * hidden + k])
                h[k] = o * tanh(c[k])
            }
            states.append(h.map(Float.init))
        }
        return states
    }
}
