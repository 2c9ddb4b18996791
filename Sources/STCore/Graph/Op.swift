/// How ReLU passes gradients backwards (DESIGN §3, "Backward modes").
public enum ReLUBackward: String, Sendable, CaseIterable {
    /// The exact derivative: `g·[x > 0]`.
    case exact
    /// Guided backpropagation (Springenberg et al.): `g·[x > 0]·[g > 0]`.
    case guided
    /// Deconvnet (Zeiler & Fergus): `g·[g > 0]`.
    case deconvnet
}

/// Settings of one forward pass.
public struct ForwardContext: Sendable {
    /// Training mode: batch norm uses batch statistics and updates its running ones, dropout drops.
    public var training: Bool
    /// Source of randomness for dropout, fixed by the caller's seed.
    public var generator: SeededGenerator

    public init(training: Bool = false, seed: UInt64 = 0) {
        self.training = training
        generator = SeededGenerator(seed: seed)
    }
}

/// Settings of one reverse pass.
public struct BackwardContext: Sendable {
    public var reluMode: ReLUBackward
    /// Whether parameter gradients are wanted (training); otherwise ops skip them.
    public var parameterGradients: Bool

    public init(reluMode: ReLUBackward = .exact, parameterGradients: Bool = false) {
        self.reluMode = reluMode
        self.parameterGradients = parameterGradients
    }
}

/// What an op's forward pass produced.
public struct OpOutput: Sendable {
    public var value: Tensor
    /// Anything the backward pass needs beyond the inputs and the output (e.g. a pooling workspace).
    public var saved: (any Sendable)?
    /// New values for the op's buffers (batch norm's running statistics in training).
    public var updatedBuffers: [Tensor]?

    public init(_ value: Tensor, saved: (any Sendable)? = nil, updatedBuffers: [Tensor]? = nil) {
        self.value = value
        self.saved = saved
        self.updatedBuffers = updatedBuffers
    }
}

/// Everything the forward pass of one node left behind for its backward pass.
public struct OpRecord: Sendable {
    public var inputs: [Tensor]
    public var parameters: [Tensor]
    public var output: Tensor
    public var saved: (any Sendable)?

    /// The record of one forward call, for running an op's backward outside a graph (LRP).
    public init(inputs: [Tensor], parameters: [Tensor], output: OpOutput) {
        self.inputs = inputs
        self.parameters = parameters
        self.output = output.value
        saved = output.saved
    }

    init(inputs: [Tensor], parameters: [Tensor], output: Tensor, saved: (any Sendable)?) {
        self.inputs = inputs
        self.parameters = parameters
        self.output = output
        self.saved = saved
    }
}

/// Gradients of the scalar objective with respect to an op's inputs and parameters
/// (nil where not requested).
public struct OpGradients: Sendable {
    public var inputs: [Tensor?]
    public var parameters: [Tensor?]

    public init(inputs: [Tensor?], parameters: [Tensor?] = []) {
        self.inputs = inputs
        self.parameters = parameters
    }
}

/// One operation of the graph: a forward function and its exact vector–Jacobian product.
///
/// Parameters (trained) and buffers (running statistics) are read from the graph's state by the
/// keys the node lists, in the order `parameterRoles` and `bufferRoles` name them.
public protocol Op: Sendable {
    /// The PyTorch-like type name (`Conv3d`, `BatchNorm3d`, `ReLU`, …).
    var typeName: String { get }
    /// Roles of the trained parameters, e.g. `["weight", "bias"]`; keys default to `node.role`.
    var parameterRoles: [String] { get }
    /// Roles of the non-trained buffers, e.g. `["running_mean", "running_var"]`.
    var bufferRoles: [String] { get }

    /// Output shape for the given input and parameter shapes; throws a shape error otherwise.
    func outputShape(inputs: [[Int]], parameters: [[Int]]) throws -> [Int]

    /// Computes the output. `parameters` holds the trained parameters followed by the buffers.
    func forward(_ inputs: [Tensor], parameters: [Tensor], context: inout ForwardContext) throws -> OpOutput

    /// Vector–Jacobian product: given ∂L/∂output, returns ∂L/∂inputs (where `needInputs[i]`) and,
    /// when `context.parameterGradients`, ∂L/∂parameters (trained parameters only).
    func backward(_ gradOutput: Tensor, record: OpRecord, needInputs: [Bool],
                  context: BackwardContext) throws -> OpGradients

    /// Multiply-adds of one forward pass (for FLOP counts); 0 where negligible.
    func multiplyAdds(inputs: [[Int]], parameters: [[Int]], output: [Int]) -> Int

    /// Whether the backward pass reads `OpOutput.saved` (a workspace, statistics, a mask): false
    /// when the inputs, parameters and output are all it needs, so a record can be rebuilt from
    /// a trace's values without running the op again.
    var backwardReadsSavedState: Bool { get }
}

extension Op {
    public var backwardReadsSavedState: Bool { false }
    public var parameterRoles: [String] { [] }
    public var bufferRoles: [String] { [] }
    public func multiplyAdds(inputs: [[Int]], parameters: [[Int]], output: [Int]) -> Int { 0 }
}
