/// Builds a `Graph` node by node, in topological order, checking that every input exists.
///
/// ```swift
/// var builder = GraphBuilder(input: "input", shape: [1, 3, 16, 112, 112])
/// let conv = try builder.add("stem.0", Convolution(...), inputs: ["input"],
///                            parameters: ["weight": w])
/// let graph = try builder.build(output: conv)
/// ```
public struct GraphBuilder {
    private var inputs: [(name: String, shape: [Int])]
    private var nodes: [Node] = []
    private var names: Set<String>
    private var parameters: [String: Tensor] = [:]
    private var buffers: [String: Tensor] = [:]
    private var aliases: [String: String] = [:]

    public init(inputs: [(name: String, shape: [Int])]) {
        self.inputs = inputs
        names = Set(inputs.map(\.name))
    }

    public init(input: String = "input", shape: [Int]) {
        self.init(inputs: [(input, shape)])
    }

    /// Adds a node; `parameters` and `buffers` are keyed by role (`weight`, `running_mean`) and
    /// stored under `name.role` unless `parameterKeys`/`bufferKeys` name shared state.
    @discardableResult
    public mutating func add(_ name: String, _ op: any Op, inputs: [String],
                             parameters: [String: Tensor] = [:], buffers: [String: Tensor] = [:],
                             parameterKeys: [String]? = nil, bufferKeys: [String]? = nil) throws -> String {
        guard !names.contains(name) else { throw STError.invalidRequest("duplicate node name '\(name)'") }
        for input in inputs where !names.contains(input) {
            throw STError.invalidRequest("node '\(name)' reads '\(input)', which is not defined before it")
        }
        let node = Node(name: name, op: op, inputs: inputs, parameterKeys: parameterKeys, bufferKeys: bufferKeys)
        for (role, key) in zip(op.parameterRoles, node.parameterKeys) {
            if let value = parameters[role] { self.parameters[key] = value }
            guard self.parameters[key] != nil else {
                throw STError.invalidRequest("node '\(name)' needs parameter '\(role)'")
            }
        }
        for (role, key) in zip(op.bufferRoles, node.bufferKeys) {
            if let value = buffers[role] { self.buffers[key] = value }
            guard self.buffers[key] != nil else {
                throw STError.invalidRequest("node '\(name)' needs buffer '\(role)'")
            }
        }
        nodes.append(node)
        names.insert(name)
        return name
    }

    /// Makes `alias` (a PyTorch module name such as `layer4`) refer to `node`.
    public mutating func alias(_ alias: String, to node: String) {
        aliases[alias] = node
    }

    public func build(output: String) throws -> Graph {
        guard names.contains(output) else { throw STError.unknownNode(output) }
        let graph = Graph(inputs: inputs, nodes: nodes, output: output, parameters: parameters,
                          buffers: buffers, aliases: aliases)
        _ = try graph.inferShapes(Dictionary(uniqueKeysWithValues: inputs.map { ($0.name, $0.shape) }))
        return graph
    }
}
