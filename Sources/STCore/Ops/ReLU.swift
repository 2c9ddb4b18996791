/// Rectified linear unit, y = max(x, 0), whose backward pass follows `BackwardContext.reluMode`:
/// exact `g·[x > 0]`, guided backpropagation `g·[x > 0]·[g > 0]`, or deconvnet `g·[g > 0]`.
public struct ReLU: Op {
    public init() {}

    public var typeName: String { "ReLU" }

    public func outputShape(inputs: [[Int]], parameters: [[Int]]) throws -> [Int] { inputs[0] }

    public func forward(_ inputs: [Tensor], parameters: [Tensor], context: inout ForwardContext) throws -> OpOutput {
        OpOutput(try DNNL.eltwiseForward(inputs[0], .relu))
    }

    public func backward(_ gradOutput: Tensor, record: OpRecord, needInputs: [Bool],
                         context: BackwardContext) throws -> OpGradients {
        OpGradients(inputs: [try Self.backward(gradOutput, output: record.output, mode: context.reluMode)])
    }

    /// The ReLU vector–Jacobian product in the given mode, from the forward output y
    /// (`[y > 0]` equals `[x > 0]`).
    static func backward(_ gradOutput: Tensor, output: Tensor, mode: ReLUBackward) throws -> Tensor {
        switch mode {
        case .exact:
            return try DNNL.eltwiseBackward(gradOutput, output: output, .relu)
        case .guided:
            return try DNNL.eltwiseBackward(try DNNL.eltwiseForward(gradOutput, .relu), output: output, .relu)
        case .deconvnet:
            return try DNNL.eltwiseForward(gradOutput, .relu)
        }
    }
}
