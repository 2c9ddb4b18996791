import STCore

/// CAM (Zhou et al. 2016): for a layer followed by global average pooling and a linear
/// classifier, L = Σ_k w_k^c·A_k with w^c the classifier's weights of class c — no ReLU.
///
/// The weights are read off the gradient: after global average pooling over P positions,
/// ∂y_c/∂A_kp = w_k^c/P for every p, so w_k^c = Σ_p ∂y_c/∂A_kp. That works for any model whose
/// head has this form (built-in or imported). A gradient that varies over positions means the
/// head is not pooling → linear, and CAM is undefined there: Grad-CAM generalises it.
public struct CAM: CAMWeighting {
    public init() {}
    public var method: Method { .cam }
    public var rectified: Bool { false }

    public func weights(_ features: ChannelFeatures) throws -> CAMWeights {
        let largest = features.gradients.map(abs).max() ?? 0
        return .perChannel(try (0..<features.channels).map { k in
            let gradients = features.gradients[features.channel(k)]
            let mean = gradients.reduce(0, +) / Float(features.positions)
            guard gradients.allSatisfy({ abs($0 - mean) <= 1e-4 * largest }) else {
                throw STError.invalidRequest("cam needs the layer to be followed only by global average pooling "
                                             + "and a linear classifier; use gradcam for other layers")
            }
            return mean * Float(features.positions)
        })
    }
}
