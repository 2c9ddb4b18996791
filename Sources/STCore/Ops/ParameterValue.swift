/// A trained parameter as a graph value (PyTorch `nn.Parameter` used directly in `forward`), so
/// other ops can consume it: ST-GCN multiplies its adjacency by `edge_importance.N`.
///
/// y = θ (no inputs). Backward: ∂L/∂θ = g.
///
/// The node usually names the parameter's state key explicitly,
/// `builder.add("edge_importance.0", ParameterValue(), inputs: [], parameters: ["value": w],
/// parameterKeys: ["edge_importance.0"])`, so it matches the PyTorch state_dict.
public struct ParameterValue: Op {
    public init() {}

    public var typeName: String { "Parameter" }
    public var parameterRoles: [String] { ["value"] }

    public func outputShape(inputs: [[Int]], parameters: [[Int]]) throws -> [Int] { parameters[0] }

    public func forward(_ inputs: [Tensor], parameters: [Tensor], context: inout ForwardContext) throws -> OpOutput {
        OpOutput(parameters[0])
    }

    public func backward(_ gradOutput: Tensor, record: OpRecord, needInputs: [Bool],
                         context: BackwardContext) throws -> OpGradients {
        OpGradients(inputs: [], parameters: context.parameterGradients ? [gradOutput] : [])
    }
}

/// A fixed tensor as a graph value (a registered buffer such as ST-GCN's normalised adjacency
/// `A`): y = value, no inputs, no trained parameters, no gradient.
public struct Constant: Op {
    public let value: Tensor

    public init(_ value: Tensor) {
        self.value = value
    }

    public var typeName: String { "Constant" }

    public func outputShape(inputs: [[Int]], parameters: [[Int]]) throws -> [Int] { value.shape }

    public func forward(_ inputs: [Tensor], parameters: [Tensor], context: inout ForwardContext) throws -> OpOutput {
        OpOutput(value)
    }

    public func backward(_ gradOutput: Tensor, record: OpRecord, needInputs: [Bool],
                         context: BackwardContext) throws -> OpGradients {
        OpGradients(inputs: [])
    }
}

/// A node that emits a non-trained buffer of the graph's state (no inputs; no gradient), such as
/// ST-GCN's adjacency `A`, which PyTorch checkpoints carry as a registered buffer. Unlike
/// `Constant`, its value lives in `Graph.buffers` under the node's buffer key, so loading a
/// checkpoint or editing the state changes what the network computes.
public struct BufferValue: Op {
    public init() {}

    public var typeName: String { "Buffer" }
    public var bufferRoles: [String] { ["value"] }

    public func outputShape(inputs: [[Int]], parameters: [[Int]]) throws -> [Int] { parameters[0] }

    public func forward(_ inputs: [Tensor], parameters: [Tensor], context: inout ForwardContext) throws -> OpOutput {
        OpOutput(parameters[0])
    }

    public func backward(_ gradOutput: Tensor, record: OpRecord, needInputs: [Bool],
                         context: BackwardContext) throws -> OpGradients {
        OpGradients(inputs: [])
    }
}
