/// Learned tokens put in front of every sequence of a batch: ViT's class token (and DeiT's
/// distillation token), `torch.cat((tokens.expand(N, -1, -1), x), dim=1)` in PyTorch. The
/// parameter `tokens` is (1, K, D), the input x is (N, L, D), the output (N, K + L, D):
///
///     y[n, k, :] = tokens[0, k, :]   for k < K,        y[n, K + l, :] = x[n, l, :]
///     ∂L/∂x = g[:, K..<K+L, :],                          ∂L/∂tokens = Σ_n g[n, 0..<K, :]
///
/// The node usually names the parameter's state key explicitly (`parameterKeys: ["cls_token"]`),
/// so it matches the PyTorch state_dict. Shape errors: x not of rank 3, tokens not (1, K, D)
/// with x's D.
public struct PrependTokens: Op {
    public init() {}

    public var typeName: String { "PrependTokens" }
    public var parameterRoles: [String] { ["tokens"] }

    public func outputShape(inputs: [[Int]], parameters: [[Int]]) throws -> [Int] {
        let (x, tokens) = (inputs[0], parameters[0])
        try ShapeCheck.require(x.count == 3 && tokens.count == 3 && tokens[0] == 1 && tokens[2] == x[2],
                               "PrependTokens needs tokens (1, K, D) and an input (N, L, D), got \(tokens) and \(x)")
        return [x[0], tokens[1] + x[1], x[2]]
    }

    public func forward(_ inputs: [Tensor], parameters: [Tensor], context: inout ForwardContext) throws -> OpOutput {
        let (x, tokens) = (inputs[0], parameters[0])
        let copies = try Broadcast.expand(tokens, to: [x.shape[0], tokens.shape[1], x.shape[2]])
        return OpOutput(try DNNL.concat([copies, x], axis: 1))
    }

    public func backward(_ gradOutput: Tensor, record: OpRecord, needInputs: [Bool],
                         context: BackwardContext) throws -> OpGradients {
        let count = record.parameters[0].shape[1], length = record.inputs[0].shape[1]
        let gradX = needInputs[0] ? AxisRows.gather(gradOutput, axis: 1, sources: Array(count..<(count + length))) : nil
        guard context.parameterGradients else { return OpGradients(inputs: [gradX]) }
        let perSample = AxisRows.gather(gradOutput, axis: 1, sources: Array(0..<count))
        return OpGradients(inputs: [gradX], parameters: [try Broadcast.reduce(perSample, to: record.parameters[0].shape)])
    }
}
