/// A named operation in a `Graph`. The name follows the PyTorch module path of the layer that
/// computes it (`layer4.1.conv2`), and its parameter keys the state_dict names
/// (`layer4.1.conv2.weight`).
public struct Node: Sendable {
    public let name: String
    public let op: any Op
    /// Names of the nodes (or graph inputs) whose outputs feed this node, in order.
    public let inputs: [String]
    /// State keys of the op's trained parameters, in `op.parameterRoles` order.
    public let parameterKeys: [String]
    /// State keys of the op's buffers, in `op.bufferRoles` order.
    public let bufferKeys: [String]

    public init(name: String, op: any Op, inputs: [String], parameterKeys: [String]? = nil, bufferKeys: [String]? = nil) {
        self.name = name
        self.op = op
        self.inputs = inputs
        self.parameterKeys = parameterKeys ?? op.parameterRoles.map { "\(name).\($0)" }
        self.bufferKeys = bufferKeys ?? op.bufferRoles.map { "\(name).\($0)" }
    }

    /// Parameter keys followed by buffer keys: the order `Op.forward` receives them in.
    public var stateKeys: [String] { parameterKeys + bufferKeys }
}
