import STCore

/// A built-in network: its name as users type it, the input it expects, what it says about itself
/// to explainers (input kind, default layer, task, attention node), and a builder for its graph
/// with PyTorch state_dict names.
public protocol Architecture: Sendable {
    /// The name on the command line and in reports (`r3d_18`, `c3d`, `st_gcn`, …).
    var name: String { get }
    /// Default input shape, batch of one (`[1, 3, 16, 112, 112]` for r3d_18).
    var inputShape: [Int] { get }
    /// The last spatio-temporal feature layer before global pooling (DESIGN §4).
    var defaultLayer: String { get }
    /// What explainers need to know beyond the graph: input kind, `defaultLayer`, task (classes
    /// or regression) and the attention-weights node, if any.
    var modelDescription: ModelDescription { get }
    /// The graph with freshly initialised weights, reproducible from `seed`.
    func graph(seed: UInt64) throws -> Graph
    /// The graph a checkpoint is about to fill: the same structure and names with zero weights
    /// and default buffers, built without drawing the random initial weights.
    func unfilledGraph() throws -> Graph
}

extension Architecture {
    public func unfilledGraph() throws -> Graph { try graph(seed: 0) }
}
