import STCore

/// A built-in network: its name as users type it, the input it expects, the layer explanations
/// use by default, and a builder for its graph with PyTorch state_dict names.
public protocol Architecture: Sendable {
    /// The name on the command line and in reports (`r3d_18`, `c3d`, `st_gcn`, …).
    var name: String { get }
    /// Default input shape, batch of one (`[1, 3, 16, 112, 112]` for r3d_18).
    var inputShape: [Int] { get }
    /// The last spatio-temporal feature layer before global pooling (DESIGN §4).
    var defaultLayer: String { get }
    /// The graph with freshly initialised weights, reproducible from `seed`.
    func graph(seed: UInt64) throws -> Graph
}
