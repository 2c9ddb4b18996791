import STCore

/// Element-wise and matrix products (attention weighting, attention pooling, division
/// a/b = a ⊙ 1/b), signal-take-all: when both operands depend on the network input, the gate —
/// the operand computed by a softmax, sigmoid, hard sigmoid or reciprocal, directly or through
/// reshapes — gets nothing, and the other operand x gets R_x = x·∂z/∂x · R / (z + ε·sign z) with
/// the gate held fixed (all of R for a ⊙ x, the ε rule of the linear map for attention pooling
/// Σ_t a_t·x_t). Two gates or two non-gates are unsupported. A product with a constant is the
/// linear map of the other operand, shared by the same formula.
struct SignalTakeAllProduct: LRPLayerRule {
    func inputRelevance(_ step: LRPStep) throws -> [Tensor?] {
        guard step.flows == [true, true] else { return try step.proportional() }
        let gates = step.node.inputs.map { Self.isGate($0, in: step.graph) }
        guard gates == [true, false] || gates == [false, true] else {
            throw STError.unsupported(op: "LRP through \(step.node.op.typeName) (node '\(step.node.name)') of two "
                                      + (gates[0] ? "gates" : "operands neither of which is a gate (softmax, sigmoid, hard sigmoid or reciprocal)"))
        }
        return try step.proportional(flows: gates.map { !$0 })
    }

    /// Whether `name` is a gate: the output of a softmax, sigmoid, hard sigmoid or reciprocal,
    /// directly or through reshapes.
    private static func isGate(_ name: String, in graph: Graph) -> Bool {
        guard let node = try? graph.node(named: name) else { return false }
        switch node.op {
        case let softmax as Softmax: return !softmax.log
        case is Sigmoid, is HardSigmoid, is Reciprocal: return true
        case is Reshape, is Flatten, is Permute: return isGate(node.inputs[0], in: graph)
        default: return false
        }
    }
}
