/// One layer's activations A and gradients g = ∂y/∂A for one weighting unit (a sample, or one
/// frame of a per-frame CNN), channel-major: element (k, p) at `k · positions + p`.
public struct ChannelFeatures: Sendable {
    public let channels: Int
    /// Positions per channel: T′·H′·W′, H′·W′, or M·T′·V (persons included) for graphs.
    public let positions: Int
    public let activations: [Float]
    public let gradients: [Float]

    /// The element range of channel k.
    public func channel(_ k: Int) -> Range<Int> { (k * positions)..<((k + 1) * positions) }
}

/// How a CAM method weights activations: per channel (L_p = Σ_k w_k·A_kp) or per element
/// (L_p = Σ_k W_kp·A_kp).
public enum CAMWeights: Sendable {
    case perChannel([Float])
    case perElement([Float])
}

/// A CAM-family method: it only decides the weights; `CAMExplainer` does the rest (the forward
/// pass, the gradient at the layer, persons/frames, upsampling). The map is
/// L = Σ_k w_k·A_k, rectified (ReLU) when `rectified`.
public protocol CAMWeighting: Sendable {
    var method: Method { get }
    /// Whether the map is passed through ReLU (positive evidence only).
    var rectified: Bool { get }
    func weights(_ features: ChannelFeatures) throws -> CAMWeights
}

extension CAMWeighting {
    /// L_p = [ReLU](Σ_k w·A_kp) for every position p.
    func map(_ features: ChannelFeatures) throws -> [Float] {
        let positions = features.positions
        var map = [Float](repeating: 0, count: positions)
        let activations = features.activations
        switch try weights(features) {
        case .perChannel(let weights):
            for k in 0..<features.channels where weights[k] != 0 {
                let base = k * positions
                for p in 0..<positions { map[p] += weights[k] * activations[base + p] }
            }
        case .perElement(let weights):
            for k in 0..<features.channels {
                let base = k * positions
                for p in 0..<positions { map[p] += weights[base + p] * activations[base + p] }
            }
        }
        return rectified ? map.map { max($0, 0) } : map
    }
}
