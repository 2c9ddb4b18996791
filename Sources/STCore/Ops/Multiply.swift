/// Element-wise product with NumPy broadcasting, y = a ⊙ b (gates, attention weighting, edge
/// importance). Backward: ∂L/∂a = Σ_broadcast g ⊙ b, ∂L/∂b = Σ_broadcast g ⊙ a.
public struct Multiply: Op {
    public init() {}

    public var typeName: String { "Mul" }

    public func outputShape(inputs: [[Int]], parameters: [[Int]]) throws -> [Int] {
        guard let shape = Broadcast.shape(inputs[0], inputs[1]) else {
            throw ShapeCheck.fail("cannot multiply \(inputs[0]) and \(inputs[1])")
        }
        return shape
    }

    public func forward(_ inputs: [Tensor], parameters: [Tensor], context: inout ForwardContext) throws -> OpOutput {
        OpOutput(try Broadcast.apply(inputs[0], inputs[1], .mul))
    }

    public func backward(_ gradOutput: Tensor, record: OpRecord, needInputs: [Bool],
                         context: BackwardContext) throws -> OpGradients {
        let (a, b) = (record.inputs[0], record.inputs[1])
        let gradA = needInputs[0] ? try Broadcast.reduce(try Broadcast.apply(gradOutput, b, .mul), to: a.shape) : nil
        let gradB = needInputs[1] ? try Broadcast.reduce(try Broadcast.apply(gradOutput, a, .mul), to: b.shape) : nil
        return OpGradients(inputs: [gradA, gradB])
    }
}
