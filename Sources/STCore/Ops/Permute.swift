/// Axis permutation (`torch.permute(x, order)`, ONNX `Transpose`); negative axes count from the
/// end. Output axis i is input axis `order[i]`:
///
///     y[i_0, …, i_{r−1}] = x[j]  with j[order[k]] = i_k,    ∂L/∂x = permute(g, order⁻¹)
///
/// Shape errors: `order` is not a permutation of the input's axes.
public struct Permute: Op {
    public let order: [Int]

    public init(_ order: [Int]) {
        self.order = order
    }

    public var typeName: String { "Permute" }

    public func outputShape(inputs: [[Int]], parameters: [[Int]]) throws -> [Int] {
        let input = inputs[0]
        return try normalizedOrder(rank: input.count).map { input[$0] }
    }

    public func forward(_ inputs: [Tensor], parameters: [Tensor], context: inout ForwardContext) throws -> OpOutput {
        OpOutput(try DNNL.permute(inputs[0], order: try normalizedOrder(rank: inputs[0].rank)))
    }

    public func backward(_ gradOutput: Tensor, record: OpRecord, needInputs: [Bool],
                         context: BackwardContext) throws -> OpGradients {
        guard needInputs[0] else { return OpGradients(inputs: [nil]) }
        let order = try normalizedOrder(rank: gradOutput.rank)
        var inverse = [Int](repeating: 0, count: order.count)
        for (position, axis) in order.enumerated() { inverse[axis] = position }
        return OpGradients(inputs: [try DNNL.permute(gradOutput, order: inverse)])
    }

    private func normalizedOrder(rank: Int) throws -> [Int] {
        let normalized = order.map { $0 < 0 ? $0 + rank : $0 }
        try ShapeCheck.require(normalized.sorted() == Array(0..<rank),
                               "Permute order \(order) is not a permutation of \(rank) axes")
        return normalized
    }
}
