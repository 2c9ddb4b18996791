import Foundation

/// Element-wise error function (`torch.erf`, ONNX `Erf`), for exports whose erf is not part of a
/// GELU pattern:
///
///     y = erf(x) = 2/√π ∫₀ˣ e^(−t²) dt        ∂L/∂x = g·2/√π·e^(−x²)
///
/// oneDNN has no erf algorithm, so both passes are loops over Foundation's `erf` and `exp`.
public struct Erf: Op {
    public init() {}

    public var typeName: String { "Erf" }

    public func outputShape(inputs: [[Int]], parameters: [[Int]]) throws -> [Int] { inputs[0] }

    public func forward(_ inputs: [Tensor], parameters: [Tensor], context: inout ForwardContext) throws -> OpOutput {
        var result = Tensor(uninitialized: inputs[0].shape)
        inputs[0].withUnsafeBufferPointer { x in
            result.withUnsafeMutableBufferPointer { y in
                for i in x.indices { y[i] = erf(x[i]) }
            }
        }
        return OpOutput(result)
    }

    public func backward(_ gradOutput: Tensor, record: OpRecord, needInputs: [Bool],
                         context: BackwardContext) throws -> OpGradients {
        guard needInputs[0] else { return OpGradients(inputs: [nil]) }
        let slope = 2 / Float.pi.squareRoot()
        var result = Tensor(uninitialized: record.inputs[0].shape)
        record.inputs[0].withUnsafeBufferPointer { x in
            gradOutput.withUnsafeBufferPointer { g in
                result.withUnsafeMutableBufferPointer { gradient in
                    for i in x.indices { gradient[i] = g[i] * slope * exp(-x[i] * x[i]) }
                }
            }
        }
        return OpGradients(inputs: [result])
    }
}
