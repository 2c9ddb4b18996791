/// Grad-CAM++ (Chattopadhyay et al. 2018, eq. 19, closed form for y = exp(S), seed 003):
///
///     a_kp = g²_kp / (2·g²_kp + (Σ_q A_kq)·g³_kp + ε)   (a = 0 where g = 0)
///     w_k  = Σ_p a_kp·ReLU(g_kp),    L = ReLU(Σ_k w_k·A_k)
///
/// with g = ∂S/∂A and ε = 10⁻⁶ as pytorch-grad-cam. The sum over q runs over every position
/// (T′·H′·W′ for video), as in pytorch-grad-cam 1.5.7 (docs/peers.md).
public struct GradCAMPlusPlus: CAMWeighting {
    public init() {}
    public var method: Method { .gradcamPlusPlus }
    public var rectified: Bool { true }

    public func weights(_ features: ChannelFeatures) -> CAMWeights {
        .perChannel((0..<features.channels).map { k in
            let range = features.channel(k)
            let activationSum = features.activations[range].reduce(0, +)
            return features.gradients[range].reduce(Float(0)) { sum, g in
                guard g != 0 else { return sum }
                let g2 = g * g
                let a = g2 / (2 * g2 + activationSum * g2 * g + 1e-6)
                return sum + a * max(g, 0)
            }
        })
    }
}
