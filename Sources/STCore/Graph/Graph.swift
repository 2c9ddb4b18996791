/// A directed acyclic graph of named nodes plus the state (parameters and buffers) they read.
///
/// Built-in models and ONNX imports both produce a `Graph`, so every explainer works on both.
/// Nodes are stored in topological order. `aliases` maps PyTorch module names that are not
/// nodes themselves (`layer4`, a block's output) to the node computing them.
public struct Graph: Sendable {
    /// Names and shapes of the graph inputs (batch dimension included; it may vary at run time).
    public let inputs: [(name: String, shape: [Int])]
    public let nodes: [Node]
    public let output: String
    /// Trained parameters by state_dict key.
    public var parameters: [String: Tensor]
    /// Non-trained state (running statistics) by state_dict key.
    public var buffers: [String: Tensor]
    public var aliases: [String: String]

    let indexByName: [String: Int]

    init(inputs: [(name: String, shape: [Int])], nodes: [Node], output: String,
         parameters: [String: Tensor], buffers: [String: Tensor], aliases: [String: String]) {
        self.inputs = inputs
        self.nodes = nodes
        self.output = output
        self.parameters = parameters
        self.buffers = buffers
        self.aliases = aliases
        indexByName = Dictionary(uniqueKeysWithValues: nodes.enumerated().map { ($1.name, $0) })
    }

    /// The node or input a name (or alias) refers to.
    public func resolve(_ name: String) throws -> String {
        let target = aliases[name] ?? name
        guard indexByName[target] != nil || inputs.contains(where: { $0.name == target }) else {
            throw STError.unknownNode(name)
        }
        return target
    }

    public func node(named name: String) throws -> Node {
        guard let index = indexByName[try resolve(name)] else { throw STError.unknownNode(name) }
        return nodes[index]
    }

    /// Parameters and buffers together, as PyTorch's `state_dict()`.
    public var stateDict: [String: Tensor] {
        parameters.merging(buffers) { parameter, _ in parameter }
    }

    /// The value of a parameter or buffer key.
    func state(_ key: String) throws -> Tensor {
        if let value = parameters[key] ?? buffers[key] { return value }
        throw STError.invalidRequest("missing parameter '\(key)'")
    }

    /// Number of trained scalars.
    public var parameterCount: Int {
        parameters.values.reduce(0) { $0 + $1.count }
    }

    /// Shapes of every node's output for the given input shapes (validates the whole graph).
    public func inferShapes(_ inputShapes: [String: [Int]]) throws -> [String: [Int]] {
        var shapes = inputShapes
        for node in nodes {
            let inputShapes = try node.inputs.map { name -> [Int] in
                guard let shape = shapes[name] else { throw STError.unknownNode(name) }
                return shape
            }
            let stateShapes = try node.stateKeys.map { try state($0).shape }
            do {
                shapes[node.name] = try node.op.outputShape(inputs: inputShapes, parameters: stateShapes)
            } catch STError.shape(_, let reason) {
                throw STError.shape(node: node.name, reason: reason)
            }
        }
        return shapes
    }

    /// Multiply-adds of one forward pass for the given input shapes.
    public func multiplyAdds(_ inputShapes: [String: [Int]]) throws -> Int {
        let shapes = try inferShapes(inputShapes)
        return nodes.reduce(0) { total, node in
            let stateShapes = node.stateKeys.compactMap { (parameters[$0] ?? buffers[$0])?.shape }
            return total + node.op.multiplyAdds(inputs: node.inputs.map { shapes[$0]! }, parameters: stateShapes,
                                                output: shapes[node.name]!)
        }
    }
}
