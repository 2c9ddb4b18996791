/// Element-wise sum with NumPy broadcasting, y = a + b (residual connections, biases).
/// Backward: ∂L/∂a = Σ_broadcast g, ∂L/∂b = Σ_broadcast g.
public struct Add: Op {
    public init() {}

    public var typeName: String { "Add" }

    public func outputShape(inputs: [[Int]], parameters: [[Int]]) throws -> [Int] {
        guard let shape = Broadcast.shape(inputs[0], inputs[1]) else {
            throw ShapeCheck.fail("cannot add \(inputs[0]) and \(inputs[1])")
        }
        return shape
    }

    public func forward(_ inputs: [Tensor], parameters: [Tensor], context: inout ForwardContext) throws -> OpOutput {
        OpOutput(try Broadcast.apply(inputs[0], inputs[1], .add))
    }

    public func backward(_ gradOutput: Tensor, record: OpRecord, needInputs: [Bool],
                         context: BackwardContext) throws -> OpGradients {
        OpGradients(inputs: try zip(record.inputs, needInputs).map { input, needed in
            needed ? try Broadcast.reduce(gradOutput, to: input.shape) : nil
        })
    }
}
