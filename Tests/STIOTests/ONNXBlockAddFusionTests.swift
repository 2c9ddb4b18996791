import Testing
import STCore
@testable import STIO

/// `ONNXBlockAddFusion` on hand-written models in the dynamo exporter's spelling of
/// `x[:, :, 1:, :] += r`: the slice, the add, and a ScatterND of contiguous rows into a
/// transposed copy with the transpose back.
@Suite struct ONNXBlockAddFusionTests {
    static let x = Tensor.randomNormal(shape: [1, 2, 4, 3], seed: 1)
    static let r: [Float] = (0..<18).map { Float($0) }

    /// x (1, 2, 4, 3); r (1, 2, 3, 3) added from row 1 of axis 2. `indices` names the 3 × 1 row
    /// indices [[1], [2], [3]], made by `addIndices`.
    static func model(rChannels: Int = 2, addIndices: (inout ONNXModelBuilder) -> Void) -> ONNXModelBuilder {
        var model = ONNXModelBuilder()
        model.input("x", shape: [1, 2, 4, 3])
        model.initializer("r", shape: [1, rChannels, 3, 3], floats: Array(r.prefix(rChannels * 9)))
        model.constant("one", shape: [1], int64s: [1])
        model.constant("end", shape: [1], int64s: [Int(Int64.max)])
        model.constant("axis2", shape: [1], int64s: [2])
        model.node("Slice", ["x", "one", "end", "axis2", "one"], ["rows"], name: "slice")
        model.node("Add", ["rows", "r"], ["added"], name: "add")
        model.node("Transpose", ["x"], ["xt"], name: "transpose_x", [intsAttribute("perm", [2, 1, 0, 3])])
        model.node("Transpose", ["added"], ["addedt"], name: "transpose_added", [intsAttribute("perm", [2, 1, 0, 3])])
        addIndices(&model)
        model.node("ScatterND", ["xt", "indices", "addedt"], ["scattered"], name: "scatter")
        model.node("Transpose", ["scattered"], ["y"], name: "slice_scatter", [intsAttribute("perm", [2, 1, 0, 3])])
        model.output("y")
        return model
    }

    /// x with r added into rows 1–3; r's channel 0 for both channels when `rChannels` is 1.
    static func expected(rChannels: Int = 2) -> [Float] {
        var values = x.scalars
        for channel in 0..<2 {
            for row in 1..<4 {
                for column in 0..<3 {
                    values[(channel * 4 + row) * 3 + column] += r[(channel % rChannels * 3 + row - 1) * 3 + column]
                }
            }
        }
        return values
    }

    /// Constant indices and indices computed from constants (an unsqueezed slice of a range, as the
    /// dynamo exporter writes them for the full-size MViT v2) both fuse into one `BlockAdd` at
    /// (0, 0, 1, 0) with nothing else left but r's parameter node, and compute x with r added into rows 1–3.
    @Test(arguments: [false, true])
    func sliceAddScatterBecomesOneBlockAdd(computedIndices: Bool) throws {
        let builder = Self.model { model in
            if computedIndices {
                model.constant("range", shape: [5], int64s: [0, 1, 2, 3, 4])
                model.constant("four", shape: [1], int64s: [4])
                model.constant("axis0", shape: [1], int64s: [0])
                model.constant("last", shape: [1], int64s: [-1])
                model.node("Slice", ["range", "one", "four", "axis0"], ["picked"])
                model.node("Unsqueeze", ["picked", "last"], ["indices"])
            } else {
                model.initializer("indices", shape: [3, 1], int64s: [1, 2, 3])
            }
        }
        let imported = try importONNXModel(builder)
        #expect(imported.graph.nodes.map(\.op.typeName) == ["Parameter", "BlockAdd"])
        #expect((imported.graph.nodes.last?.op as? BlockAdd)?.offsets == [0, 0, 1, 0])
        #expect(try onnxOutput(imported, Self.x).scalars == Self.expected())
    }

    /// An r that broadcasts over the channels (1, 1, 3, 3) is expanded to the block first.
    @Test func aBroadcastAddendIsExpandedToTheBlock() throws {
        let builder = Self.model(rChannels: 1) { $0.initializer("indices", shape: [3, 1], int64s: [1, 2, 3]) }
        let imported = try importONNXModel(builder)
        #expect(imported.graph.nodes.map(\.op.typeName) == ["Parameter", "Constant", "Add", "BlockAdd"])
        #expect(try onnxOutput(imported, Self.x).scalars == Self.expected(rChannels: 1))
    }

    /// Rows that are not contiguous are a scatter, not a slice: nothing is fused.
    @Test func scatteredRowsAreLeftAlone() throws {
        let builder = Self.model { $0.initializer("indices", shape: [3, 1], int64s: [1, 3, 2]) }
        let types = try importONNXModel(builder).graph.nodes.map(\.op.typeName)
        #expect(!types.contains("BlockAdd"))
        #expect(types.contains("ScatterRows"))
    }
}
