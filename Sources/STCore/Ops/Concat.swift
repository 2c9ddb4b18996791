/// Concatenation along one axis (`torch.cat(xs, dim: axis)`, ONNX `Concat`); a negative axis
/// counts from the end. All inputs have the same rank and agree on every other axis.
///
///     y[…, o_t + j, …] = x_t[…, j, …]   with o_t = Σ_{u < t} x_u.shape[axis]
///     ∂L/∂x_t = g[…, o_t ..< o_t + x_t.shape[axis], …]
///
/// Shape errors: no inputs, the axis out of range, or inputs that disagree off the axis.
public struct Concat: Op {
    public let axis: Int

    public init(axis: Int) {
        self.axis = axis
    }

    public var typeName: String { "Concat" }

    public func outputShape(inputs: [[Int]], parameters: [[Int]]) throws -> [Int] {
        guard let first = inputs.first else { throw ShapeCheck.fail("Concat needs at least one input") }
        let axis = try normalizedAxis(rank: first.count)
        for shape in inputs {
            var expected = first
            expected[axis] = shape.count == first.count ? shape[axis] : -1
            try ShapeCheck.require(shape == expected,
                                   "Concat along axis \(self.axis) needs shapes that agree off that axis, got \(inputs)")
        }
        var shape = first
        shape[axis] = inputs.reduce(0) { $0 + $1[axis] }
        return shape
    }

    public func forward(_ inputs: [Tensor], parameters: [Tensor], context: inout ForwardContext) throws -> OpOutput {
        if inputs.count == 1 { return OpOutput(inputs[0]) }
        return OpOutput(try DNNL.concat(inputs, axis: try normalizedAxis(rank: inputs[0].rank)))
    }

    public func backward(_ gradOutput: Tensor, record: OpRecord, needInputs: [Bool],
                         context: BackwardContext) throws -> OpGradients {
        let axis = try normalizedAxis(rank: gradOutput.rank)
        var offset = 0
        var gradients: [Tensor?] = []
        for (input, needed) in zip(record.inputs, needInputs) {
            let size = input.shape[axis]
            gradients.append(needed ? AxisRows.gather(gradOutput, axis: axis, sources: Array(offset..<(offset + size))) : nil)
            offset += size
        }
        return OpGradients(inputs: gradients)
    }

    private func normalizedAxis(rank: Int) throws -> Int {
        let normalized = axis < 0 ? axis + rank : axis
        try ShapeCheck.require(normalized >= 0 && normalized < rank, "Concat axis \(axis) is out of range for rank \(rank)")
        return normalized
    }
}
