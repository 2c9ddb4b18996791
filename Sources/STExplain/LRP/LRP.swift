import STCore

/// Layer-wise relevance propagation over a `Graph` (Bach et al. 2015; zennit's semantics).
///
/// Relevance starts at the objective's node as output ⊙ seed (the class score y_c for a class
/// target — zennit starts from 1 instead, so its maps are ours divided by y_c) and walks the
/// nodes backwards, each step conserving Σ R up to what biases and ε absorb. What a node does
/// with relevance is its composite's `LRPLayerMap` entry: a rule for convolutions and linear
/// layers (`LRPRule`); pass-through for element-wise non-linearities (seed 002: R_k = R_j);
/// routing by the op's backward for reshapes, slices, concatenations, padding (reflect and edge
/// padding add the relevance of every copy onto its source, constant padding drops what the
/// constants hold) and max pooling (winner-takes-all); a proportional share
/// R_i = x_i·∂z/∂x_i · R / (z + ε·sign z) for sums, means, average pooling, batch norm and the
/// ST-GCN graph aggregation; rules of their own for layer norm, LSTMs and gated products
/// (`LRPLayerRule`); and an error naming the node where relevance must not flow (gate and
/// normalisation paths).
public struct LRP: Sendable {
    /// The rule of every convolution and linear layer.
    public var composite: LRPComposite
    /// ε of the proportional steps.
    public var epsilon: Float

    /// An LRP walker with `composite` and its ε for the proportional steps.
    public init(composite: LRPComposite) {
        self.composite = composite
        epsilon = composite.proportionalEpsilon
    }

    /// The relevance of the graph input, from `start` at node `from`, for a trace that kept
    /// every activation (`ForwardOptions(observe: nil)`).
    public func inputRelevance(trace: Trace, start: Tensor, from: String) throws -> Tensor {
        let input = trace.graph.inputs[0].name
        let relevance = try walk(trace: trace, start: start, from: from) { _, _ in true }
        return try relevance[input] ?? Tensor(zeros: trace.activation(input).shape)
    }

    /// The relevance of the outputs of `nodes` (summed over every consumer), from `start` at node
    /// `from`; the walk stops once it has passed them all.
    public func relevance(at nodes: Set<String>, trace: Trace, start: Tensor, from: String) throws -> [String: Tensor] {
        var captured: [String: Tensor] = [:]
        _ = try walk(trace: trace, start: start, from: from) { name, relevance in
            if nodes.contains(name) { captured[name] = relevance }
            return captured.count < nodes.count
        }
        return captured
    }

    /// Walks the graph backwards from `start` at `from`, calling `visit` with each node's output
    /// relevance before the node's step, until `visit` returns false; returns the relevance left
    /// unconsumed (the graph input's, at the end of a full walk).
    private func walk(trace: Trace, start: Tensor, from: String,
                      visit: (String, Tensor) throws -> Bool) throws -> [String: Tensor] {
        let graph = trace.graph
        var dependsOnInput = Set(graph.inputs.map(\.name))
        for node in graph.nodes where node.inputs.contains(where: dependsOnInput.contains) {
            dependsOnInput.insert(node.name)
        }
        var relevance = [try graph.resolve(from): start]
        for node in graph.nodes.reversed() {
            guard let output = relevance.removeValue(forKey: node.name) else { continue }
            guard try visit(node.name, output) else { break }
            let flows = node.inputs.map(dependsOnInput.contains)
            guard flows.contains(true) else { continue }
            let inputs = try node.inputs.map { name -> Tensor in
                guard let value = trace[name] else {
                    throw STError.invalidRequest("LRP needs every activation; '\(name)' was not kept")
                }
                return value
            }
            let state = node.stateKeys.map { graph.parameters[$0] ?? graph.buffers[$0]! }
            let shares = try step(node, inputs: inputs, state: state, relevance: output, flows: flows, graph: graph,
                                  layerOutput: trace[node.name])
            for (name, share) in zip(node.inputs, shares) {
                guard let share else { continue }
                relevance[name] = relevance[name].map { $0.adding(share) } ?? share
            }
        }
        return relevance
    }

    /// The relevance of each input of `node` (nil for inputs it does not flow to), by the
    /// composite's behaviour for it; `layerOutput` is the node's output in the forward trace,
    /// when it was kept.
    private func step(_ node: Node, inputs: [Tensor], state: [Tensor], relevance: Tensor,
                      flows: [Bool], graph: Graph, layerOutput: Tensor?) throws -> [Tensor?] {
        let step = LRPStep(node: node, inputs: inputs, state: state, relevance: relevance, flows: flows, graph: graph,
                           epsilon: epsilon, layerOutput: layerOutput)
        switch composite.behaviour(for: node, isFirst: node.inputs == graph.inputs.map(\.name)) {
        case .weighted(let rule):
            return [try ruleRelevance(rule, op: node.op, input: inputs[0], state: state, relevance: relevance,
                                      layerOutput: layerOutput)]
        case .passThrough: return [relevance]
        case .routed: return try step.routed()
        case .proportional: return try step.proportional()
        case .layer(let rule): return try rule.inputRelevance(step)
        case .unsupported: throw STError.unsupported(op: "LRP through \(node.op.typeName) (node '\(node.name)')")
        }
    }

    /// R_in = Σ_groups weight · Σ_terms sign · x_t ⊙ J_tᵀ (R / (z + ε·sign z)) for a layer with a rule.
    /// When the rule's terms add up to the layer (αβ with the bias split, ε) and the layer is a
    /// convolution or linear map, whose backward needs no output, the last group's z is the
    /// layer's output less the other groups' z instead of one more evaluation.
    private func ruleRelevance(_ rule: any LRPRule, op: any Op, input: Tensor, state: [Tensor], relevance: Tensor,
                               layerOutput: Tensor?) throws -> Tensor {
        let groups = rule.groups(input: input, parameters: state, roles: op.parameterRoles)
        let derivesLast = rule.groupsSumToLayer && layerOutput?.shape == relevance.shape && (op is Convolution || op is Linear)
        var products: [ScaledProduct] = []
        var evaluated: Tensor?
        for (index, group) in groups.enumerated() where !group.terms.isEmpty {
            let records: [OpRecord]
            let ratio: Tensor
            if derivesLast, index == groups.count - 1, let layerOutput {
                // The backward of a convolution or linear map does not read the record's output.
                records = group.terms.map { OpRecord(inputs: [$0.input], parameters: $0.parameters, output: OpOutput(layerOutput)) }
                ratio = evaluated.map { relevance.divided(byStabilisedDifferenceOf: layerOutput, and: $0, epsilon: rule.epsilon) }
                    ?? relevance.divided(byStabilised: layerOutput, epsilon: rule.epsilon)
            } else {
                records = try group.terms.map { try Self.record(op, inputs: [$0.input], state: $0.parameters) }
                let sign = group.terms[0].sign
                var z = sign == 1 ? records[0].output : records[0].output.scaled(by: sign)
                for (term, record) in zip(group.terms, records).dropFirst() { z = z.adding(record.output, scale: term.sign) }
                evaluated = evaluated.map { $0.adding(z) } ?? z
                ratio = relevance.divided(byStabilised: z, epsilon: rule.epsilon)
            }
            for (term, record) in zip(group.terms, records) {
                let gradient = try op.backward(ratio, record: record, needInputs: [true], context: BackwardContext()).inputs[0]!
                products.append(ScaledProduct(scale: group.weight * term.sign, gradient, term.input))
            }
        }
        return Tensor.sum(of: products) ?? Tensor(zeros: input.shape)
    }

    private static func record(_ op: any Op, inputs: [Tensor], state: [Tensor]) throws -> OpRecord {
        var context = ForwardContext()
        return OpRecord(inputs: inputs, parameters: state, output: try op.forward(inputs, parameters: state, context: &context))
    }
}
