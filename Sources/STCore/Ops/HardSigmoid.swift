/// Hard sigmoid (ONNX `HardSigmoid`, PyTorch `nn.Hardsigmoid`), element-wise:
///
///     y = max(0, min(1, α·x + β))        ∂L/∂x = g·α·[0 < α·x + β < 1]
///
/// ONNX's defaults are α = 0.2, β = 0.5; PyTorch's hardsigmoid is α = 1/6, β = 0.5. Runs as oneDNN's
/// linear map u = α·x + β followed by its clip to [0, 1]; backward through the clip from its output
/// (g·[0 < y < 1]) and then through the linear map (·α).
public struct HardSigmoid: Op {
    public let alpha: Float
    public let beta: Float

    public init(alpha: Float = 1.0 / 6, beta: Float = 0.5) {
        self.alpha = alpha
        self.beta = beta
    }

    public var typeName: String { "HardSigmoid" }

    public func outputShape(inputs: [[Int]], parameters: [[Int]]) throws -> [Int] { inputs[0] }

    public func forward(_ inputs: [Tensor], parameters: [Tensor], context: inout ForwardContext) throws -> OpOutput {
        OpOutput(try DNNL.eltwiseForward(try DNNL.eltwiseForward(inputs[0], linear), Self.clip))
    }

    public func backward(_ gradOutput: Tensor, record: OpRecord, needInputs: [Bool],
                         context: BackwardContext) throws -> OpGradients {
        let throughClip = try DNNL.eltwiseBackward(gradOutput, output: record.output, Self.clip)
        return OpGradients(inputs: [try DNNL.eltwiseBackward(throughClip, input: record.inputs[0], linear)])
    }

    private var linear: DNNL.Eltwise { .linear(scale: alpha, shift: beta) }
    private static let clip = DNNL.Eltwise.clip(lower: 0, upper: 1)
}
