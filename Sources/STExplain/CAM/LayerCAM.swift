/// LayerCAM (Jiang et al. 2021): every element weighted by its own positive gradient,
/// L = ReLU(Σ_k ReLU(g_k) ⊙ A_k).
public struct LayerCAM: CAMWeighting {
    public init() {}
    public var method: Method { .layercam }
    public var rectified: Bool { true }

    public func weights(_ features: ChannelFeatures) -> CAMWeights {
        .perElement(features.gradients.map { max($0, 0) })
    }
}
