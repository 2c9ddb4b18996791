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

    public init(observe: Set<String>? = nil, differentiable: Bool = true, training: Bool = false, seed: UInt64 = 0) {
        self.observe = observe
        self.differentiable = differentiable
        self.training = training
        self.seed = seed
    }
}
