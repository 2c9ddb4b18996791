/// Fully connected layer (PyTorch `nn.Linear`): input `(…, in)`, weight `(out, in)`, optional
/// bias `(out)`, output `(…, out)`.
///
/// y[…, j] = b[j] + Σ_i x[…, i] · W[j, i]            (y = x·Wᵀ + b)
///
/// Backward, with the leading axes flattened into rows: ∂L/∂x = g·W, ∂L/∂W = gᵀ·x,
/// ∂L/∂b = Σ_rows g. Wᵀ and gᵀ are strided views, never copies.
public struct Linear: Op {
    public let hasBias: Bool

    public init(bias: Bool = true) {
        hasBias = bias
    }

    public var typeName: String { "Linear" }
    public var parameterRoles: [String] { hasBias ? ["weight", "bias"] : ["weight"] }

    public func outputShape(inputs: [[Int]], parameters: [[Int]]) throws -> [Int] {
        let input = inputs[0], weight = parameters[0]
        try ShapeCheck.require(weight.count == 2 && weight.allSatisfy { $0 > 0 },
                               "Linear weight \(weight) is not (out, in)")
        try ShapeCheck.require(input.last == weight[1],
                               "Linear expects \(weight[1]) input features, got input \(input)")
        if hasBias {
            try ShapeCheck.require(parameters[1] == [weight[0]], "bias \(parameters[1]) for \(weight[0]) output features")
        }
        return input.dropLast() + [weight[0]]
    }

    public func forward(_ inputs: [Tensor], parameters: [Tensor], context: inout ForwardContext) throws -> OpOutput {
        let x = inputs[0], weight = parameters[0]
        let outputShape = try outputShape(inputs: [x.shape], parameters: parameters.map(\.shape))
        let y = try DNNL.matmul(Self.rows(x), DNNL.MatrixView(weight).transposed, bias: hasBias ? parameters[1] : nil)
        return OpOutput(y.reshaped(outputShape))
    }

    public func backward(_ gradOutput: Tensor, record: OpRecord, needInputs: [Bool],
                         context: BackwardContext) throws -> OpGradients {
        let x = record.inputs[0], weight = record.parameters[0]
        let g = Self.rows(gradOutput)
        let gradInput = needInputs[0] ? try DNNL.matmul(g, DNNL.MatrixView(weight)).reshaped(x.shape) : nil
        guard context.parameterGradients else { return OpGradients(inputs: [gradInput]) }
        let gradWeight = try DNNL.matmul(g.transposed, Self.rows(x))
        guard hasBias else { return OpGradients(inputs: [gradInput], parameters: [gradWeight]) }
        let outFeatures = weight.shape[0]
        let gradBias = try DNNL.reduce(gradOutput.reshaped(g.dims), to: [1, outFeatures], mean: false).reshaped([outFeatures])
        return OpGradients(inputs: [gradInput], parameters: [gradWeight, gradBias])
    }

    /// Output elements × input features.
    public func multiplyAdds(inputs: [[Int]], parameters: [[Int]], output: [Int]) -> Int {
        output.reduce(1, *) * parameters[0][1]
    }

    /// `x` as a `(rows, features)` matrix, the leading axes flattened into rows.
    private static func rows(_ x: Tensor) -> DNNL.MatrixView {
        let features = x.shape[x.rank - 1]
        return DNNL.MatrixView(x, dims: [x.count / features, features])
    }
}
