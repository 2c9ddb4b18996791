/// The result of a forward pass: the output, the activations that were kept, and what the
/// reverse pass needs.
public struct Trace: Sendable {
    public let graph: Graph
    let plan: ExecutionPlan
    let values: [String: Tensor]
    let records: [String: OpRecord]
    /// New running statistics from a training pass, by state key (apply with `Graph.applyBufferUpdates`).
    public let updatedBuffers: [String: Tensor]

    /// The graph's output.
    public var output: Tensor { values[graph.output]! }

    /// The activation of a node (or alias, or graph input), if it was kept.
    public subscript(_ name: String) -> Tensor? {
        guard let resolved = try? graph.resolve(name) else { return nil }
        return values[resolved]
    }

    /// The activation of a node, or an error saying why it is not available.
    public func activation(_ name: String) throws -> Tensor {
        let resolved = try graph.resolve(name)
        if let value = values[resolved] { return value }
        if let step = plan.fusedInto[resolved] {
            throw STError.invalidRequest("'\(name)' was fused into '\(step)'; list it in ForwardOptions.observe")
        }
        throw STError.invalidRequest("'\(name)' was not kept; list it in ForwardOptions.observe")
    }
}
