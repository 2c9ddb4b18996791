/// Positions picked along one axis by a fixed list of indices, `x.index_select(axis, indices)` in
/// PyTorch (ONNX `Gather` with constant 1-D indices). Indices may repeat and come in any order; a
/// negative axis counts from the end, indices count from 0.
///
///     y[…, j, …] = x[…, indices[j], …],   j < indices.count
///     ∂L/∂x[…, s, …] = Σ_{j : indices[j] = s} g[…, j, …]   (scatter-add: repeats add up)
///
/// Shape errors: the axis out of range, no indices, or an index outside [0, size of the axis).
public struct IndexSelect: Op {
    public let axis: Int
    public let indices: [Int]

    public init(axis: Int, indices: [Int]) {
        self.axis = axis
        self.indices = indices
    }

    public var typeName: String { "IndexSelect" }

    public func outputShape(inputs: [[Int]], parameters: [[Int]]) throws -> [Int] {
        var shape = inputs[0]
        shape[try resolvedAxis(shape)] = indices.count
        return shape
    }

    public func forward(_ inputs: [Tensor], parameters: [Tensor], context: inout ForwardContext) throws -> OpOutput {
        OpOutput(AxisRows.gather(inputs[0], axis: try resolvedAxis(inputs[0].shape), sources: indices))
    }

    public func backward(_ gradOutput: Tensor, record: OpRecord, needInputs: [Bool],
                         context: BackwardContext) throws -> OpGradients {
        guard needInputs[0] else { return OpGradients(inputs: [nil]) }
        let shape = record.inputs[0].shape
        return OpGradients(inputs: [AxisRows.scatterAdd(gradOutput, into: shape, axis: try resolvedAxis(shape), sources: indices)])
    }

    /// The axis counted from the front, after checking it and the indices against `shape`.
    private func resolvedAxis(_ shape: [Int]) throws -> Int {
        let resolved = axis < 0 ? axis + shape.count : axis
        try ShapeCheck.require(resolved >= 0 && resolved < shape.count, "IndexSelect axis \(axis) is out of range for \(shape)")
        try ShapeCheck.require(!indices.isEmpty, "IndexSelect along axis \(axis) has no indices")
        let size = shape[resolved]
        try ShapeCheck.require(indices.allSatisfy { $0 >= 0 && $0 < size },
                               "IndexSelect indices \(indices) are not all in 0..<\(size) (axis \(axis) of \(shape))")
        return resolved
    }
}
