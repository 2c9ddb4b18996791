/// Logistic sigmoid, y = σ(x) = 1 / (1 + e^(−x)), element-wise.
/// Backward from the output: ∂L/∂x = g · y(1 − y).
public struct Sigmoid: Op {
    public init() {}

    public var typeName: String { "Sigmoid" }

    public func outputShape(inputs: [[Int]], parameters: [[Int]]) throws -> [Int] { inputs[0] }

    public func forward(_ inputs: [Tensor], parameters: [Tensor], context: inout ForwardContext) throws -> OpOutput {
        OpOutput(try DNNL.eltwiseForward(inputs[0], .sigmoid))
    }

    public func backward(_ gradOutput: Tensor, record: OpRecord, needInputs: [Bool],
                         context: BackwardContext) throws -> OpGradients {
        OpGradients(inputs: [try DNNL.eltwiseBackward(gradOutput, output: record.output, .sigmoid)])
    }
}
