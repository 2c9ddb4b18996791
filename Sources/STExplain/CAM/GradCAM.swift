/// Grad-CAM (Selvaraju et al. 2017, eq. 1–2): α_k = (1/Z)·Σ_p ∂y/∂A_kp, L = ReLU(Σ_k α_k·A_k).
/// Over persons too for graphs (seed 000: α_k = mean over T′, V and persons).
public struct GradCAM: CAMWeighting {
    public init() {}
    public var method: Method { .gradcam }
    public var rectified: Bool { true }

    public func weights(_ features: ChannelFeatures) -> CAMWeights {
        let scale = 1 / Float(features.positions)
        return .perChannel((0..<features.channels).map { k in
            features.gradients[features.channel(k)].reduce(0, +) * scale
        })
    }
}
