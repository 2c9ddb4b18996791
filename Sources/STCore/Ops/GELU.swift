/// Gaussian error linear unit (PyTorch `nn.GELU(approximate:)`, ONNX `Gelu`), element-wise:
///
///     none: y = x·Φ(x) = ½x(1 + erf(x/√2))                  ∂L/∂x = g·(Φ(x) + x·φ(x))
///     tanh: y = ½x(1 + tanh(u)), u = √(2/π)(x + 0.044715x³)  ∂L/∂x = g·(½(1 + tanh u) + ½x(1 − tanh²u)·u′)
///
/// with φ the standard normal density and u′ = √(2/π)(1 + 3·0.044715x²). Backward from the input.
public struct GELU: Op {
    /// PyTorch's names for the two forms.
    public enum Approximation: String, Sendable {
        /// The exact form with the error function.
        case none
        /// The tanh approximation.
        case tanh
    }

    public let approximation: Approximation

    public init(approximation: Approximation) {
        self.approximation = approximation
    }

    public var typeName: String { "GELU" }

    public func outputShape(inputs: [[Int]], parameters: [[Int]]) throws -> [Int] { inputs[0] }

    public func forward(_ inputs: [Tensor], parameters: [Tensor], context: inout ForwardContext) throws -> OpOutput {
        OpOutput(try DNNL.eltwiseForward(inputs[0], function))
    }

    public func backward(_ gradOutput: Tensor, record: OpRecord, needInputs: [Bool],
                         context: BackwardContext) throws -> OpGradients {
        OpGradients(inputs: [try DNNL.eltwiseBackward(gradOutput, input: record.inputs[0], function)])
    }

    private var function: DNNL.Eltwise {
        switch approximation {
        case .none: .geluErf
        case .tanh: .geluTanh
        }
    }
}
