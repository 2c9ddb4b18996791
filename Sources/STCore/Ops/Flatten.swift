/// `torch.flatten(x, start_dim, end_dim)`: axes `startDim…endDim` (negative values count from
/// the end) merged into one; `Flatten(startDim: 1)` turns `N × C × T × H × W` into
/// `N × (C·T·H·W)`. A rank-0 input becomes a one-element vector, as in PyTorch.
///
///     y = x with shape x.shape[..<start] + [Π x.shape[start...end]] + x.shape[(end+1)...]
///     ∂L/∂x = g with x's shape
///
/// Shape errors: an axis out of range, or `startDim` after `endDim`.
public struct Flatten: Op {
    public let startDim: Int
    public let endDim: Int

    public init(startDim: Int = 0, endDim: Int = -1) {
        self.startDim = startDim
        self.endDim = endDim
    }

    public var typeName: String { "Flatten" }

    public func outputShape(inputs: [[Int]], parameters: [[Int]]) throws -> [Int] {
        let input = inputs[0].isEmpty ? [1] : inputs[0]
        let start = startDim < 0 ? startDim + input.count : startDim
        let end = endDim < 0 ? endDim + input.count : endDim
        try ShapeCheck.require(start >= 0 && end < input.count && start <= end,
                               "Flatten of axes \(startDim)…\(endDim) does not fit \(inputs[0])")
        return Array(input[..<start]) + [input[start...end].reduce(1, *)] + Array(input[(end + 1)...])
    }

    public func forward(_ inputs: [Tensor], parameters: [Tensor], context: inout ForwardContext) throws -> OpOutput {
        OpOutput(inputs[0].reshaped(try outputShape(inputs: [inputs[0].shape], parameters: [])))
    }

    public func backward(_ gradOutput: Tensor, record: OpRecord, needInputs: [Bool],
                         context: BackwardContext) throws -> OpGradients {
        OpGradients(inputs: [needInputs[0] ? gradOutput.reshaped(record.inputs[0].shape) : nil])
    }
}
