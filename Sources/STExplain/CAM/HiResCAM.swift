/// HiResCAM (Draelos & Carin 2020): L = Σ_k g_k ⊙ A_k, signed — the exact contribution of each
/// position to the score when the head is pooling → linear. pytorch-grad-cam clips it at zero;
/// compare the positive part with it.
public struct HiResCAM: CAMWeighting {
    public init() {}
    public var method: Method { .hirescam }
    public var rectified: Bool { false }

    public func weights(_ features: ChannelFeatures) -> CAMWeights {
        .perElement(features.gradients)
    }
}
