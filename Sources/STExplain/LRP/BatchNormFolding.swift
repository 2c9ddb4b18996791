import STCore

/// The canonizer LRP needs (zennit's `SequentialMergeBatchNorm`): every batch norm that directly
/// follows a convolution or linear layer (the layer's only consumer) is folded into that layer's
/// weight and bias (`BatchNorm.fold`), so the rules see one affine layer. The forward output is
/// unchanged up to rounding; the batch norm's name becomes an alias of the layer, so layer names
/// keep resolving. Batch norms after other nodes (ST-GCN's `data_bn`, the norm after its graph
/// aggregation) stay and share relevance in proportion, their shift absorbing some.
public enum BatchNormFolding {
    public static func fold(_ graph: Graph) throws -> Graph {
        var consumers: [String: Int] = [:]
        for node in graph.nodes { for input in node.inputs { consumers[input, default: 0] += 1 } }
        let nodesByName = Dictionary(uniqueKeysWithValues: graph.nodes.map { ($0.name, $0) })
        var foldedInto: [String: Node] = [:]
        for node in graph.nodes where node.op is BatchNorm {
            guard let layer = nodesByName[node.inputs[0]], layer.op is Convolution || layer.op is Linear,
                  consumers[layer.name] == 1, layer.name != graph.output else { continue }
            foldedInto[layer.name] = node
        }
        guard !foldedInto.isEmpty else { return graph }

        var builder = GraphBuilder(inputs: graph.inputs)
        var renamed: [String: String] = [:]
        func state(_ keys: [String]) -> [Tensor] { keys.map { graph.parameters[$0] ?? graph.buffers[$0]! } }
        for node in graph.nodes {
            let inputs = node.inputs.map { renamed[$0] ?? $0 }
            if node.op is BatchNorm, let layer = renamed[node.inputs[0]], foldedInto[layer] != nil {
                renamed[node.name] = layer
                continue
            }
            if let norm = foldedInto[node.name], let batchNorm = norm.op as? BatchNorm {
                let original = state(node.parameterKeys)
                let statistics = state(norm.stateKeys)
                let (weight, bias) = batchNorm.fold(weight: original[0], bias: original.count > 1 ? original[1] : nil,
                                                    scale: statistics[0], shift: statistics[1],
                                                    mean: statistics[2], variance: statistics[3])
                let op: any Op = (node.op as? Convolution).map { Convolution(geometry: $0.geometry, bias: true) } ?? Linear(bias: true)
                try builder.add(node.name, op, inputs: inputs, parameters: ["weight": weight, "bias": bias])
                renamed[node.name] = node.name
                continue
            }
            let parameters = Dictionary(uniqueKeysWithValues: zip(node.op.parameterRoles, state(node.parameterKeys)))
            let buffers = Dictionary(uniqueKeysWithValues: zip(node.op.bufferRoles, state(node.bufferKeys)))
            try builder.add(node.name, node.op, inputs: inputs, parameters: parameters, buffers: buffers,
                            parameterKeys: node.parameterKeys, bufferKeys: node.bufferKeys)
        }
        for (alias, target) in graph.aliases { builder.alias(alias, to: renamed[target] ?? target) }
        for (name, target) in renamed where name != target { builder.alias(name, to: target) }
        return try builder.build(output: renamed[graph.output] ?? graph.output)
    }
}
