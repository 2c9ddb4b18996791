/// Dropout (PyTorch `nn.Dropout(p)`): the identity in inference; in training every element is
/// zeroed with probability p and the survivors are scaled by 1/(1 − p), so the expectation is kept:
///
/// y = x ⊙ m,   m_i = [u_i ≥ p] / (1 − p),   u_i ~ U[0, 1) from `ForwardContext.generator`
///
/// The mask m is saved, so backward is ∂L/∂x = g ⊙ m (and g in inference). With p = 1 every
/// element is dropped.
public struct Dropout: Op {
    /// Probability of dropping an element, in [0, 1].
    public let probability: Float

    public init(probability: Float = 0.5) {
        precondition((0...1).contains(probability), "dropout probability \(probability) outside [0, 1]")
        self.probability = probability
    }

    public var typeName: String { "Dropout" }

    public var backwardReadsSavedState: Bool { true }

    public func outputShape(inputs: [[Int]], parameters: [[Int]]) throws -> [Int] { inputs[0] }

    public func forward(_ inputs: [Tensor], parameters: [Tensor], context: inout ForwardContext) throws -> OpOutput {
        let x = inputs[0]
        guard context.training && probability > 0 else { return OpOutput(x) }
        let scale = probability < 1 ? 1 / (1 - probability) : 0
        var mask = Tensor(uninitialized: x.shape)
        mask.withUnsafeMutableBufferPointer { values in
            for index in values.indices {
                values[index] = context.generator.nextUnitFloat() >= probability ? scale : 0
            }
        }
        return OpOutput(try DNNL.binary(x, mask, .mul), saved: mask)
    }

    public func backward(_ gradOutput: Tensor, record: OpRecord, needInputs: [Bool],
                         context: BackwardContext) throws -> OpGradients {
        guard let mask = record.saved as? Tensor else { return OpGradients(inputs: [gradOutput]) }
        return OpGradients(inputs: [try DNNL.binary(gradOutput, mask, .mul)])
    }
}
