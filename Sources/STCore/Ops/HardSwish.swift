/// Hard swish (PyTorch `nn.Hardswish`, ONNX `HardSwish`), element-wise:
///
///     y = x·max(0, min(1, x/6 + ½))        ∂L/∂x = g·(0 for x ≤ −3, x/3 + ½ for −3 < x < 3, 1 for x ≥ 3)
///
/// oneDNN's hardswish; backward from the input.
public struct HardSwish: Op {
    public init() {}

    public var typeName: String { "HardSwish" }

    public func outputShape(inputs: [[Int]], parameters: [[Int]]) throws -> [Int] { inputs[0] }

    public func forward(_ inputs: [Tensor], parameters: [Tensor], context: inout ForwardContext) throws -> OpOutput {
        OpOutput(try DNNL.eltwiseForward(inputs[0], .hardSwish))
    }

    public func backward(_ gradOutput: Tensor, record: OpRecord, needInputs: [Bool],
                         context: BackwardContext) throws -> OpGradients {
        OpGradients(inputs: [try DNNL.eltwiseBackward(gradOutput, input: record.inputs[0], .hardSwish)])
    }
}
