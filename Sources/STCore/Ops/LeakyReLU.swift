/// Leaky rectified linear unit (PyTorch `LeakyReLU`, ONNX `LeakyRelu`), element-wise:
/// y = x for x > 0, slope·x otherwise. Backward: ∂L/∂x = g for y > 0, slope·g otherwise (read
/// from the output, whose sign is the input's for slope ≥ 0).
public struct LeakyReLU: Op {
    public let negativeSlope: Float

    /// - Parameter negativeSlope: the slope for negative inputs (PyTorch's default 0.01), ≥ 0.
    public init(negativeSlope: Float = 0.01) {
        precondition(negativeSlope >= 0, "LeakyReLU needs a non-negative slope, got \(negativeSlope)")
        self.negativeSlope = negativeSlope
    }

    public var typeName: String { "LeakyReLU" }

    public func outputShape(inputs: [[Int]], parameters: [[Int]]) throws -> [Int] { inputs[0] }

    public func forward(_ inputs: [Tensor], parameters: [Tensor], context: inout ForwardContext) throws -> OpOutput {
        OpOutput(try DNNL.eltwiseForward(inputs[0], .leakyRelu(slope: negativeSlope)))
    }

    public func backward(_ gradOutput: Tensor, record: OpRecord, needInputs: [Bool],
                         context: BackwardContext) throws -> OpGradients {
        OpGradients(inputs: [try DNNL.eltwiseBackward(gradOutput, output: record.output, .leakyRelu(slope: negativeSlope))])
    }
}
