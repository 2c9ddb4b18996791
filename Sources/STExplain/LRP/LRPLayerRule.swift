import STCore

/// A relevance rule of its own for one kind of layer without weights (layer norm, LSTM, gated
/// products): from the relevance of the node's output, the relevance of each of its inputs.
public protocol LRPLayerRule: Sendable {
    /// The relevance of each input of `step.node` (nil for inputs it does not flow to).
    func inputRelevance(_ step: LRPStep) throws -> [Tensor?]
}

/// One node's step of the backward walk: what a rule may read.
public struct LRPStep {
    public let node: Node
    /// The node's inputs and parameters or buffers (its `stateKeys`) in the forward trace.
    public let inputs: [Tensor]
    public let state: [Tensor]
    /// The relevance of the node's output.
    public let relevance: Tensor
    /// Which inputs depend on the network input (relevance flows only to those).
    public let flows: [Bool]
    public let graph: Graph
    /// ε of the proportional steps.
    public let epsilon: Float
    /// The node's output in the forward trace, when it was kept.
    public let layerOutput: Tensor?

    /// The node's op as a `kind`, or an error naming the node (a map entry given the wrong kind).
    public func op<Kind: Op>(as kind: Kind.Type) throws -> Kind {
        guard let op = node.op as? Kind else {
            throw STError.unsupported(op: "LRP rule for \(kind) on \(node.op.typeName) (node '\(node.name)')")
        }
        return op
    }

    /// What the node's backward needs: its inputs, state and the trace's output when its backward
    /// reads nothing else, else the node evaluated again.
    public func record() throws -> OpRecord {
        if let layerOutput, !node.op.backwardReadsSavedState {
            return OpRecord(inputs: inputs, parameters: state, output: OpOutput(layerOutput))
        }
        var context = ForwardContext()
        return OpRecord(inputs: inputs, parameters: state, output: try node.op.forward(inputs, parameters: state, context: &context))
    }

    /// Relevance routed by the op's own backward to the inputs in `flows`.
    public func routed(flows: [Bool]? = nil) throws -> [Tensor?] {
        try node.op.backward(relevance, record: try record(), needInputs: flows ?? self.flows, context: BackwardContext()).inputs
    }

    /// R_i = x_i·∂z/∂x_i · R / (z + ε·sign z) for the inputs in `flows`.
    public func proportional(flows: [Bool]? = nil) throws -> [Tensor?] {
        let record = try record()
        let ratio = relevance.divided(byStabilised: record.output, epsilon: epsilon)
        let gradients = try node.op.backward(ratio, record: record, needInputs: flows ?? self.flows,
                                             context: BackwardContext()).inputs
        return zip(inputs, gradients).map { x, gradient in gradient.map { x.multiplied(by: $0) } }
    }
}
