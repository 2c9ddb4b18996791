import Foundation
import Testing
import STCore
import TestSupport
@testable import STIO

private func output(of builder: ONNXModelBuilder, _ input: Tensor) throws -> Tensor {
    try onnxOutput(try importONNXModel(builder), input)
}

/// Loops, branches, sequences and the repetition ops that transformer exports use.
@Suite("ONNX control flow, sequences and repetition")
struct ONNXControlFlowTests {
    /// `torch.tensor_split(x, [2, 3], dim=1)` as the TorchScript exporter writes it: a Loop of 2
    /// iterations that inserts x[:, s[i] : s[i+1]] into a sequence (s = [0, 2, 3]), then the
    /// rest x[:, 3:] is inserted after the loop. For x = [1 … 6]: parts [1, 2], [3], [4, 5, 6];
    /// SequenceAt 2 ⧺ SequenceAt 0 = [4, 5, 6, 1, 2], and the sequence has 3 elements.
    @Test func tensorSplitLoopUnrollsIntoSlices() throws {
        var body = Onnx_GraphProto()
        body.name = "body"
        body.input = ["i", "cond", "parts"].map { name in var info = Onnx_ValueInfoProto(); info.name = name; return info }
        body.output = ["cond_out", "parts_out"].map { name in var info = Onnx_ValueInfoProto(); info.name = name; return info }
        func bodyNode(_ op: String, _ inputs: [String], _ outputs: [String], _ attributes: [Onnx_AttributeProto] = []) {
            var node = Onnx_NodeProto()
            node.opType = op
            node.input = inputs
            node.output = outputs
            node.attribute = attributes
            body.node.append(node)
        }
        bodyNode("Constant", [], ["one"], [tensorAttribute("value", int64Tensor("", shape: [], [1]))])
        bodyNode("Add", ["i", "one"], ["next"])
        bodyNode("Gather", ["splits", "i"], ["start"], [intAttribute("axis", 0)])
        bodyNode("Gather", ["splits", "next"], ["end"], [intAttribute("axis", 0)])
        bodyNode("Unsqueeze", ["start", "axis0"], ["starts"])
        bodyNode("Unsqueeze", ["end", "axis0"], ["ends"])
        bodyNode("Slice", ["x", "starts", "ends", "axis1"], ["part"])
        bodyNode("SequenceInsert", ["parts", "part"], ["parts_out"])
        bodyNode("Identity", ["cond"], ["cond_out"])

        var model = ONNXModelBuilder()
        model.input("x", shape: [1, 6])
        model.initializer("splits", shape: [3], int64s: [0, 2, 3])
        model.constant("axis0", shape: [1], int64s: [0])
        model.constant("axis1", shape: [1], int64s: [1])
        model.constant("trips", shape: [], int64s: [2])
        model.node("Constant", [], ["true"], [tensorAttribute("value", int64Tensor("", shape: [], [1]))])
        model.node("SequenceEmpty", [], ["empty"])
        model.node("Loop", ["trips", "true", "empty"], ["looped"], name: "/split/Loop", [graphAttribute("body", body)])
        model.constant("rest_start", shape: [1], int64s: [3])
        model.constant("rest_end", shape: [1], int64s: [6])
        model.node("Slice", ["x", "rest_start", "rest_end", "axis1"], ["rest"], name: "/split/Slice_1")
        model.node("SequenceInsert", ["looped", "rest"], ["parts"])
        model.constant("two", shape: [], int64s: [2])
        model.constant("zero", shape: [], int64s: [0])
        model.node("SequenceAt", ["parts", "two"], ["last"])
        model.node("SequenceAt", ["parts", "zero"], ["first"])
        model.node("SequenceLength", ["parts"], ["count"])
        model.node("Concat", ["last", "first"], ["y"], name: "/Concat", [intAttribute("axis", 1)])
        model.output("y")
        expectClose(try output(of: model, Tensor(shape: [1, 6], scalars: [1, 2, 3, 4, 5, 6])), shape: [1, 5],
                    [4, 5, 6, 1, 2], .absolute(1e-5))
    }

    /// If(shape(x)[1] == 3) takes the then branch (x · 2) at the import shape 1×3; the else
    /// branch (an unsupported op) is never converted.
    @Test func ifOnAFoldedConditionInlinesTheChosenBranch() throws {
        func branch(_ op: String, _ inputs: [String], output: String) -> Onnx_GraphProto {
            var graph = Onnx_GraphProto()
            var node = Onnx_NodeProto()
            node.opType = op
            node.input = inputs
            node.output = [output]
            graph.node = [node]
            var info = Onnx_ValueInfoProto()
            info.name = output
            graph.output = [info]
            return graph
        }
        var model = ONNXModelBuilder()
        model.input("x", shape: [1, 3])
        model.initializer("two", shape: [], floats: [2])
        model.node("Shape", ["x"], ["shape"])
        model.constant("one", shape: [], int64s: [1])
        model.constant("three", shape: [], int64s: [3])
        model.node("Gather", ["shape", "one"], ["width"], [intAttribute("axis", 0)])
        model.node("Equal", ["width", "three"], ["is_three"])
        model.node("If", ["is_three"], ["y"], name: "/If",
                   [graphAttribute("then_branch", branch("Mul", ["x", "two"], output: "doubled")),
                    graphAttribute("else_branch", branch("Erfc", ["x"], output: "other"))])
        model.output("y")
        expectClose(try output(of: model, Tensor(shape: [1, 3], scalars: [1, 2, 3])), shape: [1, 3], [2, 4, 6],
                    .absolute(1e-5))
    }

    /// A Loop whose trip count is computed at run time is named in the unsupported list.
    @Test func aLoopWithoutAConstantTripCountIsUnsupported() throws {
        var model = ONNXModelBuilder()
        model.input("x", shape: [1, 3])
        model.node("ReduceMean", ["x"], ["m"], name: "/ReduceMean")
        model.node("Loop", ["m", "", "x"], ["y"], name: "/Loop", [graphAttribute("body", Onnx_GraphProto())])
        model.output("y")
        let error = badInput { _ = try importONNXModel(model) }
        #expect(error?.file == "test.onnx")
        #expect(error?.reason == "unsupported operators: Loop (node /Loop: its trip count is computed at run time)")
    }

    /// x = [[1, 2]]: Split along axis 1 into [1] and [2]; Tile([[2]], [1, 3]) = [[2, 2, 2]];
    /// Expand([[1]], [2, 3]) = ones(2, 3); their sum is [[3, 3, 3], [3, 3, 3]].
    @Test func splitTileAndExpandOfComputedTensors() throws {
        var model = ONNXModelBuilder()
        model.input("x", shape: [1, 2])
        model.constant("sizes", shape: [2], int64s: [1, 1])
        model.node("Split", ["x", "sizes"], ["a", "b"], name: "/Split", [intAttribute("axis", 1)])
        model.constant("repeats", shape: [2], int64s: [1, 3])
        model.node("Tile", ["b", "repeats"], ["tiled"], name: "/Tile")
        model.constant("target", shape: [2], int64s: [2, 3])
        model.node("Expand", ["a", "target"], ["expanded"], name: "/Expand")
        model.node("Add", ["tiled", "expanded"], ["y"], name: "/Add")
        model.output("y")
        expectClose(try output(of: model, Tensor(shape: [1, 2], scalars: [1, 2])), shape: [2, 3], [3, 3, 3, 3, 3, 3],
                    .absolute(1e-5))
    }

    /// masked_fill of a computed tensor: Where(mask, −∞, x) with the constant mask [0, 1, 0]
    /// and x = [1, 2, 3] gives [1, −∞, 3], whose softmax is [e/(e + e³), 0, e³/(e + e³)].
    @Test func whereWithAConstantMaskSelects() throws {
        var model = ONNXModelBuilder()
        model.input("x", shape: [1, 3])
        model.node("Constant", [], ["mask"], [tensorAttribute("value", int64Tensor("", shape: [3], [0, 1, 0]))])
        model.initializer("minus_infinity", shape: [], floats: [-Float.infinity])
        model.node("Relu", ["x"], ["a"], name: "/Relu")
        model.node("Where", ["mask", "minus_infinity", "a"], ["b"], name: "/Where")
        model.node("Softmax", ["b"], ["y"], name: "/Softmax", [intAttribute("axis", -1)])
        model.output("y")
        let e1 = Float(M_E), e3 = Float(exp(3.0))
        expectClose(try output(of: model, Tensor(shape: [1, 3], scalars: [1, 2, 3])), shape: [1, 3],
                    [e1 / (e1 + e3), 0, e3 / (e1 + e3)], .absolute(1e-5))
    }
}
