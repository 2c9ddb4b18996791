/// Element-wise choice by a fixed mask (ONNX `Where` with a condition known at import time:
/// attention masks, `masked_fill`): NumPy broadcasting of the mask and both operands.
///
///     y = x where mask ≠ 0, z elsewhere
///     ∂L/∂x = Σ_broadcast g·[mask ≠ 0],   ∂L/∂z = Σ_broadcast g·[mask = 0]
///
/// oneDNN has no select primitive, and x·m + z·(1 − m) would turn a −∞ fill into NaN, so the
/// choice itself is a loop over operands broadcast by oneDNN. Shape errors: shapes that do not
/// broadcast.
public struct Select: Op {
    /// The condition, any shape that broadcasts with the operands.
    public let mask: Tensor

    public init(mask: Tensor) {
        self.mask = mask
    }

    public var typeName: String { "Select" }

    public func outputShape(inputs: [[Int]], parameters: [[Int]]) throws -> [Int] {
        guard let operands = Broadcast.shape(inputs[0], inputs[1]), let shape = Broadcast.shape(operands, mask.shape) else {
            throw ShapeCheck.fail("cannot select between \(inputs[0]) and \(inputs[1]) by a mask of \(mask.shape)")
        }
        return shape
    }

    public func forward(_ inputs: [Tensor], parameters: [Tensor], context: inout ForwardContext) throws -> OpOutput {
        let shape = try outputShape(inputs: inputs.map(\.shape), parameters: [])
        let (chosen, other, condition) = (try Broadcast.expand(inputs[0].plain(), to: shape),
                                          try Broadcast.expand(inputs[1].plain(), to: shape),
                                          try Broadcast.expand(mask, to: shape))
        var result = Tensor(uninitialized: shape)
        chosen.withUnsafeBufferPointer { x in
            other.withUnsafeBufferPointer { z in
                condition.withUnsafeBufferPointer { m in
                    result.withUnsafeMutableBufferPointer { y in
                        for i in y.indices { y[i] = m[i] != 0 ? x[i] : z[i] }
                    }
                }
            }
        }
        return OpOutput(result)
    }

    public func backward(_ gradOutput: Tensor, record: OpRecord, needInputs: [Bool],
                         context: BackwardContext) throws -> OpGradients {
        let keep = Tensor(shape: mask.shape, scalars: mask.scalars.map { $0 != 0 ? 1 : 0 })
        let drop = Tensor(shape: mask.shape, scalars: mask.scalars.map { $0 != 0 ? 0 : 1 })
        let gradX = needInputs[0] ? try Broadcast.reduce(try Broadcast.apply(gradOutput, keep, .mul), to: record.inputs[0].shape) : nil
        let gradZ = needInputs[1] ? try Broadcast.reduce(try Broadcast.apply(gradOutput, drop, .mul), to: record.inputs[1].shape) : nil
        return OpGradients(inputs: [gradX, gradZ])
    }
}
