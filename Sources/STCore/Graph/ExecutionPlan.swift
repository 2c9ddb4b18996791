/// One unit of work of a forward pass: a node, or several nodes fused into one kernel call.
struct Step: Sendable {
    /// Name under which the result is recorded (the last node of a fused group).
    let name: String
    let op: any Op
    let inputs: [String]
    /// State keys the op reads: trained parameters first, then buffers.
    let stateKeys: [String]
    /// How many of `stateKeys` are trained parameters.
    let parameterCount: Int
    /// Nodes computed by this step (one unless fused).
    let nodes: [String]
}

/// The steps of a forward pass. In inference, chains that nobody observes in between —
/// convolution → batch norm → (residual add) → ReLU — become one `FusedConvolution`, whose
/// batch norm is folded into the weights and whose add and ReLU are oneDNN post-ops.
struct ExecutionPlan: Sendable {
    private(set) var steps: [Step] = []
    /// For each fused-away node, the step that computed it.
    let fusedInto: [String: String]

    init(graph: Graph, observed: Set<String>?, fuse: Bool) {
        var consumers: [String: [Int]] = [:]
        for (index, node) in graph.nodes.enumerated() {
            for input in node.inputs { consumers[input, default: []].append(index) }
        }
        func isInternal(_ name: String) -> Bool {
            guard let observed, name != graph.output, !observed.contains(name) else { return false }
            return consumers[name]?.count == 1
        }
        func soleConsumer(_ name: String) -> Node? {
            isInternal(name) ? consumers[name].map { graph.nodes[$0[0]] } : nil
        }

        var groups: [String: Step] = [:]
        var fusedInto: [String: String] = [:]
        if fuse {
            for node in graph.nodes where fusedInto[node.name] == nil {
                guard let conv = node.op as? Convolution,
                      let step = FusedConvolution.step(startingAt: node, conv: conv, graph: graph, next: soleConsumer)
                else { continue }
                groups[step.name] = step
                for name in step.nodes where name != step.name { fusedInto[name] = step.name }
            }
        }
        // A fused step runs where its last node stood: by then its residual input exists, and
        // nothing else reads the nodes it absorbed.
        steps = graph.nodes.compactMap { node in
            if fusedInto[node.name] != nil { return nil }
            return groups[node.name] ?? Step(name: node.name, op: node.op, inputs: node.inputs,
                                            stateKeys: node.stateKeys, parameterCount: node.parameterKeys.count,
                                            nodes: [node.name])
        }
        self.fusedInto = fusedInto
    }
}
