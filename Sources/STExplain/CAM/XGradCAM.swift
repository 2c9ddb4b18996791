/// XGrad-CAM (Fu et al. 2020): w_k = Σ_p (A_kp / (Σ_q A_kq + ε))·g_kp, L = ReLU(Σ_k w_k·A_k),
/// ε = 10⁻⁷ as pytorch-grad-cam.
public struct XGradCAM: CAMWeighting {
    public init() {}
    public var method: Method { .xgradcam }
    public var rectified: Bool { true }

    public func weights(_ features: ChannelFeatures) -> CAMWeights {
        .perChannel((0..<features.channels).map { k in
            let range = features.channel(k)
            let activationSum = features.activations[range].reduce(0, +) + 1e-7
            return range.reduce(Float(0)) { $0 + features.activations[$1] * features.gradients[$1] } / activationSum
        })
    }
}
