/// Element-wise square root (`torch.sqrt`, ONNX `Sqrt`): y = √x, NaN for x < 0.
/// Backward from the output: ∂L/∂x = g/(2y).
public struct Sqrt: Op {
    public init() {}

    public var typeName: String { "Sqrt" }

    public func outputShape(inputs: [[Int]], parameters: [[Int]]) throws -> [Int] { inputs[0] }

    public func forward(_ inputs: [Tensor], parameters: [Tensor], context: inout ForwardContext) throws -> OpOutput {
        OpOutput(try DNNL.eltwiseForward(inputs[0], .sqrt))
    }

    public func backward(_ gradOutput: Tensor, record: OpRecord, needInputs: [Bool],
                         context: BackwardContext) throws -> OpGradients {
        OpGradients(inputs: [try DNNL.eltwiseBackward(gradOutput, output: record.output, .sqrt)])
    }
}
