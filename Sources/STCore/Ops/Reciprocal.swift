/// Element-wise reciprocal, y = 1/x (`torch.reciprocal`, ONNX `Reciprocal`; a division a/b is
/// `Multiply(a, Reciprocal(b))`). x = 0 gives ±∞, as in IEEE arithmetic.
/// Backward from the output: ∂L/∂x = −g/x² = −g·y².
public struct Reciprocal: Op {
    public init() {}

    public var typeName: String { "Reciprocal" }

    public func outputShape(inputs: [[Int]], parameters: [[Int]]) throws -> [Int] { inputs[0] }

    public func forward(_ inputs: [Tensor], parameters: [Tensor], context: inout ForwardContext) throws -> OpOutput {
        var result = Tensor(uninitialized: inputs[0].shape)
        inputs[0].withUnsafeBufferPointer { x in
            result.withUnsafeMutableBufferPointer { y in
                for i in x.indices { y[i] = 1 / x[i] }
            }
        }
        return OpOutput(result)
    }

    public func backward(_ gradOutput: Tensor, record: OpRecord, needInputs: [Bool],
                         context: BackwardContext) throws -> OpGradients {
        guard needInputs[0] else { return OpGradients(inputs: [nil]) }
        var result = Tensor(uninitialized: record.output.shape)
        record.output.withUnsafeBufferPointer { y in
            gradOutput.withUnsafeBufferPointer { g in
                result.withUnsafeMutableBufferPointer { gradient in
                    for i in y.indices { gradient[i] = -g[i] * y[i] * y[i] }
                }
            }
        }
        return OpGradients(inputs: [result])
    }
}
