/// Element-wise power with a constant exponent (ONNX `Pow` with a constant exponent, `torch.pow`):
///
///     y = x^p        ∂L/∂x = g·p·x^(p−1)
///
/// Non-integer p needs x ≥ 0 (NaN otherwise, as in IEEE arithmetic). oneDNN's pow with α = 1,
/// β = p; backward from the input.
public struct Power: Op {
    public let exponent: Float

    public init(exponent: Float) {
        self.exponent = exponent
    }

    public var typeName: String { "Pow" }

    public func outputShape(inputs: [[Int]], parameters: [[Int]]) throws -> [Int] { inputs[0] }

    public func forward(_ inputs: [Tensor], parameters: [Tensor], context: inout ForwardContext) throws -> OpOutput {
        OpOutput(try DNNL.eltwiseForward(inputs[0], .power(exponent: exponent)))
    }

    public func backward(_ gradOutput: Tensor, record: OpRecord, needInputs: [Bool],
                         context: BackwardContext) throws -> OpGradients {
        OpGradients(inputs: [try DNNL.eltwiseBackward(gradOutput, input: record.inputs[0], .power(exponent: exponent))])
    }
}
