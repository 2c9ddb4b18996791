import STCore

/// Layer-wise relevance propagation over a `Graph` (Bach et al. 2015; zennit's semantics).
///
/// Relevance starts at the objective's node as output ⊙ seed (the class score y_c for a class
/// target — zennit starts from 1 instead, so its maps are ours divided by y_c) and walks the
/// nodes backwards, each step conserving Σ R up to what biases and ε absorb:
/// - convolutions and linear layers: the composite's rule (`LRPRule`);
/// - ReLU, leaky ReLU, GELU, hard swish and dropout: relevance passes on unchanged (seed 002:
///   R_k = R_j; AttnLRP's identity rule for element-wise non-linearities);
/// - reshape, flatten, permute, slice, concat, index select, row scatter, padding and max
///   pooling: relevance is routed by the op's own backward (max pooling: the winner takes all, as
///   zennit's gradient rule for it; index select adds up the relevance of an input picked more
///   than once; a row scatter gives each output row's relevance to the row that wrote it, a
///   masked select each element's to the operand it came from;
///   reflect and edge padding add the relevance of every copy onto its source, constant padding
///   drops what the constants hold — nothing when they are 0 under the z-rules);
/// - average pooling and adaptive pooling: in proportion to the inputs, or R/N per input with
///   `averagePoolingUniform` (seed 002);
/// - means, sums
///   (residual additions split in proportion to each branch), batch norm and the ST-GCN graph
///   aggregation: R_i = x_i·∂z/∂x_i · R / (z + ε·sign z), relevance only to inputs that depend on
///   the network input;
/// - layer norm: the ε rule of its affine map with σ held constant, centering included
///   (AttnLRP and LXT; `LayerNormRelevance`);
/// - LSTMs: signal-take-all for the gates, ε for the cell's sum and the linear maps (Arras et
///   al. 2017, 2019; `LSTMRelevance`);
/// - element-wise and matrix products of two values that depend on the network input
///   (attention weighting, attention pooling, division a/b = a ⊙ 1/b): signal-take-all. The gate
///   — the operand computed by a softmax, sigmoid, hard sigmoid or reciprocal, directly or through
///   reshapes — gets nothing; the other operand x gets R_x = x·∂z/∂x · R / (z + ε·sign z) with the
///   gate held fixed: all of R for a ⊙ x, the ε rule of the linear map for attention pooling
///   Σ_t a_t·x_t. Two gates or two non-gates
///   throw `STError.unsupported` naming the node; a product with a constant is the linear map
///   of the other operand (the same formula);
/// - softmax, sigmoid, hard sigmoid, tanh and reciprocal only lie on gate paths, and power, square
///   root and erf on normalisation or gate paths, which receive no relevance; relevance reaching
///   one throws `STError.unsupported` naming the node.
public struct LRP: Sendable {
    /// The rule of every convolution and linear layer.
    public var composite: LRPComposite
    /// ε of the proportional steps.
    public var epsilon: Float = 1e-6
    /// Average pooling shares relevance in proportion to the inputs (zennit), or uniformly,
    /// R_k = R_j / N_j (seed 002's variant).
    public var averagePoolingUniform = false

    /// An LRP walker with `composite`, ε = 10⁻⁶ and proportional average pooling.
    public init(composite: LRPComposite) {
        self.composite = composite
    }

    /// The relevance of the graph input, from `start` at node `from`, for a trace that kept
    /// every activation (`ForwardOptions(observe: nil)`).
    public func inputRelevance(trace: Trace, start: Tensor, from: String) throws -> Tensor {
        let graph = trace.graph
        var dependsOnInput = Set(graph.inputs.map(\.name))
        for node in graph.nodes where node.inputs.contains(where: dependsOnInput.contains) {
            dependsOnInput.insert(node.name)
        }
        var relevance = [try graph.resolve(from): start]
        for node in graph.nodes.reversed() {
            guard let output = relevance.removeValue(forKey: node.name) else { continue }
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
        let input = graph.inputs[0].name
        guard let result = relevance[input] else { return Tensor(zeros: try trace.activation(input).shape) }
        return result
    }

    /// The relevance of each input of `node` (nil for inputs it does not flow to); `layerOutput` is
    /// the node's output in the forward trace, when it was kept.
    private func step(_ node: Node, inputs: [Tensor], state: [Tensor], relevance: Tensor,
                      flows: [Bool], graph: Graph, layerOutput: Tensor?) throws -> [Tensor?] {
        let op = node.op
        if op is Softmax || op is Sigmoid || op is HardSigmoid || op is Tanh || op is Reciprocal
            || op is Power || op is Sqrt || op is Erf {
            throw STError.unsupported(op: "LRP through \(op.typeName) (node '\(node.name)')")
        }
        if let lstm = op as? LSTM {
            let record = try Self.record(op, inputs: inputs, state: state)
            return [try LSTMRelevance.inputRelevance(of: lstm, record: record, relevance: relevance, epsilon: epsilon)]
        }
        if let layerNorm = op as? LayerNorm {
            return [LayerNormRelevance.inputRelevance(of: layerNorm, input: inputs[0], weight: state[0], bias: state[1],
                                                      relevance: relevance, epsilon: epsilon)]
        }
        var flows = flows
        if op is Multiply || op is MatMul, flows == [true, true] {
            let gates = node.inputs.map { Self.isGate($0, in: graph) }
            guard gates == [true, false] || gates == [false, true] else {
                throw STError.unsupported(op: "LRP through \(op.typeName) (node '\(node.name)') of two "
                                          + (gates[0] ? "gates" : "operands neither of which is a gate (softmax, sigmoid, hard sigmoid or reciprocal)"))
            }
            flows = gates.map { !$0 }
        }
        if op is ReLU || op is LeakyReLU || op is GELU || op is HardSwish || op is Dropout { return [relevance] }
        if op is Reshape || op is Flatten || op is Permute || op is Slice || op is Concat || op is IndexSelect || op is Pad
            || op is ScatterRows || op is Select
            || (op as? Pooling)?.kind == .max {
            let record = try Self.record(op, inputs: inputs, state: state)
            return try op.backward(relevance, record: record, needInputs: flows, context: BackwardContext()).inputs
        }
        if averagePoolingUniform, op is AdaptiveAveragePool || (op as? Pooling).map({ $0.kind != .max }) == true {
            let record = try Self.record(op, inputs: inputs, state: state)
            return try op.backward(relevance, record: record, needInputs: flows, context: BackwardContext()).inputs
        }
        if let rule = composite.rule(for: node, isFirst: node.inputs == graph.inputs.map(\.name)) {
            return [try ruleRelevance(rule, op: op, input: inputs[0], state: state, relevance: relevance,
                                      layerOutput: layerOutput)]
        }
        let record = try Self.record(op, inputs: inputs, state: state)
        let ratio = relevance.divided(byStabilised: record.output, epsilon: epsilon)
        let gradients = try op.backward(ratio, record: record, needInputs: flows, context: BackwardContext()).inputs
        return zip(inputs, gradients).map { x, gradient in gradient.map { x.multiplied(by: $0) } }
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

    private static func record(_ op: any Op, inputs: [Tensor], state: [Tensor]) throws -> OpRecord {
        var context = ForwardContext()
        return OpRecord(inputs: inputs, parameters: state, output: try op.forward(inputs, parameters: state, context: &context))
    }
}
