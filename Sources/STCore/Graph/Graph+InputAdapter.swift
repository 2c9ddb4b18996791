extension Graph {
    /// This graph behind an adapter: a new input `name` of `shape` feeds `adapter`, whose output
    /// takes the old input's name, so every node and alias keeps reading what it read before.
    /// Used to present a model that takes N × T × C × H × W clips with the engine's
    /// N × C × T × H × W layout (the adapter a `Permute`).
    public func adapted(by adapter: any Op, input name: String, shape: [Int]) throws -> Graph {
        let old = inputs[0]
        guard try adapter.outputShape(inputs: [shape], parameters: []) == old.shape else {
            throw STError.shape(node: old.name, reason: "an adapter from \(shape) does not give the input shape \(old.shape)")
        }
        let adapterNode = Node(name: old.name, op: adapter, inputs: [name])
        return Graph(inputs: [(name, shape)] + inputs.dropFirst(), nodes: [adapterNode] + nodes, output: output,
                     parameters: parameters, buffers: buffers, aliases: aliases)
    }
}
