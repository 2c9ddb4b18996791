import Foundation
import Testing
import STCore
@testable import STIO

/// Folds one node with the given constant inputs, under the limit of a small model (2²⁰ elements).
private func fold(_ op: String, _ inputs: [ONNXConstant?], _ attributes: [Onnx_AttributeProto] = [],
                  opset: Int = 17) throws -> ONNXConstant {
    try foldOutputs(op, inputs, attributes, outputs: 1, opset: opset)[0]
}

private func foldOutputs(_ op: String, _ inputs: [ONNXConstant?], _ attributes: [Onnx_AttributeProto] = [],
                         outputs: Int, opset: Int = 17) throws -> [ONNXConstant] {
    var proto = Onnx_NodeProto()
    proto.opType = op
    proto.input = inputs.indices.map { "in\($0)" }
    proto.output = (0..<outputs).map { "out\($0)" }
    proto.attribute = attributes
    return try ONNXConstantFolding(limit: ONNXConstantFolding.limit(modelBytes: 0))
        .evaluateOutputs(ONNXNode(proto, name: "/\(op)"), inputs: inputs, opset: opset,
                         decoding: ONNXTensorDecoding(source: "fold.onnx", externalDataDirectory: nil))
}

/// The reason of the `ONNXImportIssue.malformed` that folding `op` throws; records an issue and
/// gives `nil` for any other outcome.
private func malformedReason(_ op: String, _ inputs: [ONNXConstant?],
                             sourceLocation: SourceLocation = #_sourceLocation) -> String? {
    let issue = #expect(throws: ONNXImportIssue.self, sourceLocation: sourceLocation) { try fold(op, inputs) }
    guard case .malformed(let reason)? = issue else {
        if let issue { Issue.record("expected a malformed node, got \(issue)", sourceLocation: sourceLocation) }
        return nil
    }
    return reason
}

private func floats(_ values: [Float], shape: [Int]? = nil) -> ONNXConstant {
    ONNXConstant(shape: shape ?? [values.count], floats: values)
}

private func ints(_ values: [Int], shape: [Int]? = nil) -> ONNXConstant {
    ONNXConstant(shape: shape ?? [values.count], ints: values)
}

@Suite("ONNX constant folding")
struct ONNXConstantFoldingTests {
    /// [0, 1, 2, 3, 4][−1 : −∞ : −2] = [4, 2, 0] (ONNX clamps the end to −1 for negative steps).
    @Test func sliceWithANegativeStepWalksBackwards() throws {
        let result = try fold("Slice", [ints([0, 1, 2, 3, 4]), ints([-1]), ints([Int(Int64.min)]), ints([0]), ints([-2])])
        #expect(result == ints([4, 2, 0]))
    }

    /// Columns 1 and 0 of [[1, 2, 3], [4, 5, 6]]: [[2, 1], [5, 4]].
    @Test func gatherAlongAxisOne() throws {
        let result = try fold("Gather", [ints([1, 2, 3, 4, 5, 6], shape: [2, 3]), ints([1, 0])], [intAttribute("axis", 1)])
        #expect(result == ints([2, 1, 5, 4], shape: [2, 2]))
    }

    /// Range(1, 7, 2) = [1, 3, 5]; Range(0, 1, 0.25) = [0, 0.25, 0.5, 0.75].
    @Test func rangeOfIntegersAndFloats() throws {
        #expect(try fold("Range", [ints([1], shape: []), ints([7], shape: []), ints([2], shape: [])]) == ints([1, 3, 5]))
        let floats = try fold("Range", [ONNXConstant(shape: [], floats: [0]), ONNXConstant(shape: [], floats: [1]),
                                        ONNXConstant(shape: [], floats: [0.25])])
        #expect(floats == ONNXConstant(shape: [4], floats: [0, 0.25, 0.5, 0.75]))
    }

    /// torch's `expand` pattern: Where(shape == 1, −1… , shape): [2, 1, 3] == 1 → [0, 1, 0];
    /// choosing 7 there gives [2, 7, 3].
    @Test func equalAndWhereSelectPerElement() throws {
        let mask = try fold("Equal", [ints([2, 1, 3]), ints([1])])
        #expect(mask == ints([0, 1, 0]))
        #expect(try fold("Where", [mask, ints([7, 7, 7]), ints([2, 1, 3])]) == ints([2, 7, 3]))
    }

    /// ConstantOfShape([2, 3]) with an int64 1 → ones; Expand([[1], [2]], [2, 3]) repeats columns.
    @Test func constantOfShapeAndExpand() throws {
        let ones = try fold("ConstantOfShape", [ints([2, 3])], [tensorAttribute("value", int64Tensor("", shape: [1], [1]))])
        #expect(ones == ints(Array(repeating: 1, count: 6), shape: [2, 3]))
        #expect(try fold("Expand", [ints([1, 2], shape: [2, 1]), ints([2, 3])]) == ints([1, 1, 1, 2, 2, 2], shape: [2, 3]))
    }

    /// Folding makes shapes and small constants: ConstantOfShape, Range and Expand asking for
    /// more than 2²⁰ elements (or than their input holds) are refused at once; a fuzzed model once
    /// asked for 2²⁸ zeros.
    @Test func foldedValuesAboveTheLimitAreRefusedBeforeAllocation() throws {
        let shape = ints([1 << 10, 1 << 10, 2])
        #expect(malformedReason("ConstantOfShape", [shape]) == "shape [1024, 1024, 2] has too many elements")
        #expect(malformedReason("Expand", [ints([1]), shape]) == "shape [1024, 1024, 2] has too many elements")
        #expect(malformedReason("Range", [ints([0], shape: []), ints([(1 << 20) + 1], shape: []), ints([1], shape: [])])?
                    .hasPrefix("Range of 1048577") == true)
        #expect(try fold("ConstantOfShape", [ints([1 << 10, 1 << 10])]).count == 1 << 20)
        let large = ONNXConstant(shape: [1 << 21], floats: Array(repeating: 1, count: 1 << 21))
        #expect(try fold("Mul", [large, ONNXConstant(shape: [], floats: [2])]).count == 1 << 21)
    }

    /// The limit grows with the model: a 146 MB file may fold MViT's 8 × 3136 × 96 position
    /// table (2.4 M elements); a tiny or fuzzed file stays at 2²⁰; nothing passes 2²⁸ (1 GiB).
    @Test func theFoldingLimitFollowsTheModelSize() {
        #expect(ONNXConstantFolding.limit(modelBytes: 1_000) == 1 << 20)
        #expect(ONNXConstantFolding.limit(modelBytes: 146_000_000) == 146_000_000)
        #expect(ONNXConstantFolding.limit(modelBytes: 1 << 40) == 1 << 28)
    }

    /// Mod with fmod = 0 takes the divisor's sign (Python): −7 mod 3 = 2, 7 mod −3 = −2, 7 mod 3 = 1;
    /// with fmod = 1 the dividend's (C): −7.5 fmod 2 = −1.5.
    @Test func modFollowsTheSignConvention() throws {
        #expect(try fold("Mod", [ints([-7, 7, 7]), ints([3, -3, 3])]) == ints([2, -2, 1]))
        #expect(try fold("Mod", [floats([-7.5]), floats([2])], [intAttribute("fmod", 1)]) == floats([-1.5]))
    }

    /// Pow(2, [0, 3]) = [1, 8] stays integer; Sqrt(64) = 8 (a head size's scale, 1/√64);
    /// Not(Equal([1, 2], 2)) = [1, 0]; Less([1, 5], 3) = [1, 0]; Max(1, [0, 4]) = [1, 4].
    @Test func powerSqrtComparisonsAndLogic() throws {
        #expect(try fold("Pow", [ints([2], shape: []), ints([0, 3])]) == ints([1, 8]))
        #expect(try fold("Sqrt", [floats([64])]) == floats([8]))
        #expect(try fold("Not", [try fold("Equal", [ints([1, 2]), ints([2])])]) == ints([1, 0]))
        #expect(try fold("Less", [ints([1, 5]), ints([3])]) == ints([1, 0]))
        #expect(try fold("Max", [ints([1], shape: []), ints([0, 4])]) == ints([1, 4]))
    }

    /// ScatterND into zeros(2, 3) of the rows [[1]] ← [7, 8, 9] and of the element [0, 2] ← 5:
    /// [[0, 0, 0], [7, 8, 9]] and [[0, 0, 5], [0, 0, 0]] (Swin writes its window mask this way).
    @Test func scatterNDWritesRowsAndElements() throws {
        let zeros = ints([0, 0, 0, 0, 0, 0], shape: [2, 3])
        #expect(try fold("ScatterND", [zeros, ints([1], shape: [1, 1]), ints([7, 8, 9], shape: [1, 3])])
                == ints([0, 0, 0, 7, 8, 9], shape: [2, 3]))
        #expect(try fold("ScatterND", [zeros, ints([0, 2], shape: [1, 2]), ints([5], shape: [1])])
                == ints([0, 0, 5, 0, 0, 0], shape: [2, 3]))
    }

    /// GatherND of [[1, 2], [3, 4]] at the tuples [[1], [0]] (rows 1 and 0) gives [[3, 4], [1, 2]];
    /// at [[0, 1]] the element 2.
    @Test func gatherNDPicksRowsAndElements() throws {
        let data = ints([1, 2, 3, 4], shape: [2, 2])
        #expect(try fold("GatherND", [data, ints([1, 0], shape: [2, 1])]) == ints([3, 4, 1, 2], shape: [2, 2]))
        #expect(try fold("GatherND", [data, ints([0, 1], shape: [1, 2])]) == ints([2], shape: [1]))
    }

    /// Tile([[1, 2]], [2, 2]) = [[1, 2, 1, 2], [1, 2, 1, 2]].
    @Test func tileRepeatsAlongEveryAxis() throws {
        #expect(try fold("Tile", [ints([1, 2], shape: [1, 2]), ints([2, 2])]) == ints([1, 2, 1, 2, 1, 2, 1, 2], shape: [2, 4]))
    }

    /// Split [1 … 5] by the sizes [2, 3] (an input from opset 13) and into two parts by
    /// `num_outputs` (opset 18: ⌈5/2⌉ = 3, then 2).
    @Test func splitFoldsEveryOutput() throws {
        let x = ints([1, 2, 3, 4, 5])
        #expect(try foldOutputs("Split", [x, ints([2, 3])], outputs: 2) == [ints([1, 2]), ints([3, 4, 5])])
        #expect(try foldOutputs("Split", [x], [intAttribute("num_outputs", 2)], outputs: 2, opset: 18)
                == [ints([1, 2, 3]), ints([4, 5])])
    }

    /// Transpose of [[1, 2, 3], [4, 5, 6]] is [[1, 4], [2, 5], [3, 6]]; Concat of [1] and
    /// [2, 3] is [1, 2, 3]; Unsqueeze before opset 13 reads its axes attribute.
    @Test func transposeConcatUnsqueeze() throws {
        #expect(try fold("Transpose", [ints([1, 2, 3, 4, 5, 6], shape: [2, 3])]) == ints([1, 4, 2, 5, 3, 6], shape: [3, 2]))
        #expect(try fold("Concat", [ints([1]), ints([2, 3])], [intAttribute("axis", 0)]) == ints([1, 2, 3]))
        #expect(try fold("Unsqueeze", [ints([5], shape: [])], [intsAttribute("axes", [0])], opset: 11) == ints([5]))
    }

    /// Integer division truncates ([7, −7] / 2 = [3, −3]); float division does not.
    @Test func arithmeticKeepsIntegerAndFloatTypesApart() throws {
        #expect(try fold("Div", [ints([7, -7]), ints([2], shape: [])]) == ints([3, -3]))
        #expect(try fold("Div", [ONNXConstant(shape: [1], floats: [7]), ONNXConstant(shape: [1], floats: [2])])
                == ONNXConstant(shape: [1], floats: [3.5]))
        #expect(try fold("Mul", [ints([2, 3]), ints([4], shape: [])]) == ints([8, 12]))
    }

    @Test func modulePathsFollowTorchScopes() {
        #expect(ONNXModuleAliases.modulePaths(ofNode: "/layer1/layer1.0/conv1/Conv") == ["layer1", "layer1.0", "layer1.0.conv1"])
        #expect(ONNXModuleAliases.modulePaths(ofNode: "/stem/stem.0/Conv") == ["stem", "stem.0"])
        #expect(ONNXModuleAliases.modulePaths(ofNode: "/Flatten") == nil)
        #expect(ONNXModuleAliases.modulePaths(ofNode: "node_Conv_91") == nil)
        let aliases = ONNXModuleAliases.aliases([("/layer1/layer1.0/conv1/Conv", "a"), ("/layer1/layer1.0/relu/Relu", "b")])
        #expect(aliases == ["layer1": "b", "layer1.0": "b", "layer1.0.conv1": "a", "layer1.0.relu": "b"])
    }
}
