/// Hyperbolic tangent, y = tanh(x) = (e^x − e^(−x)) / (e^x + e^(−x)), element-wise.
/// Backward from the output: ∂L/∂x = g · (1 − y²).
public struct Tanh: Op {
    public init() {}

    public var typeName: String { "Tanh" }

    public func outputShape(inputs: [[Int]], parameters: [[Int]]) throws -> [Int] { inputs[0] }

    public func forward(_ inputs: [Tensor], parameters: [Tensor], context: inout ForwardContext) throws -> OpOutput {
        OpOutput(try DNNL.eltwiseForward(inputs[0], .tanh))
    }

    public func backward(_ gradOutput: Tensor, record: OpRecord, needInputs: [Bool],
                         context: BackwardContext) throws -> OpGradients {
        OpGradients(inputs: [try DNNL.eltwiseBackward(gradOutput, output: record.output, .tanh)])
    }
}
