/// What a forward pass keeps and how it runs.
public struct ForwardOptions: Sendable {
    /// Nodes whose activations (and gradients) the caller will read. `nil` keeps every node and
    /// disables fusion; a set lets the engine fuse everything else (much faster in inference).
    public var observe: Set<String>?
    /// Keep what the reverse pass needs. Without it only observed activations survive the pass.
    public var differentiable: Bool
    /// Training mode (batch statistics, dropout) — also disables fusion, since parameter
    /// gradients need every layer's own output.
    public var training: Bool
    /// Seed for dropout masks.
    public var seed: UInt64
    /// The nodes every later reverse pass stops at (a CAM layer); only they and the nodes that
    /// depend on them keep what the backward pass needs, so a Grad-CAM at the last block holds
    /// one block's activations instead of the network's. nil: every node (gradients at the input).
    public var gradientsFrom: Set<String>?

    public init(observe: Set<String>? = nil, differentiable: Bool = true, training: Bool = false, seed: UInt64 = 0,
                gradientsFrom: Set<String>? = nil) {
        self.gradientsFrom = gradientsFrom
        self.observe = observe
        self.differentiable = differentiable
        self.training = training
        self.seed = seed
    }
}
