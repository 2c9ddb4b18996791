import STCore

/// Turns an input-shaped attribution into a map over the input's map axes (DESIGN §6):
/// (N, C, H, W) → (N, H, W); (N, C, T, H, W) → (N, T, H, W); (N, C, T, V, M) → (N, T, V), the
/// persons averaged after the channels are reduced.
public enum ChannelReduction: Sendable {
    /// max_c |a_c| — the saliency convention (Simonyan et al.), used for gradient visualisations.
    case maxAbsolute
    /// Σ_c a_c — keeps the sign and the total, for attributions that add up to the score.
    case sum

    /// `attribution` reduced over channels (and persons, for skeletons).
    public func reduce(_ attribution: Tensor, kind: InputKind) -> Tensor {
        let shape = attribution.shape
        let (samples, channels) = (shape[0], shape[1])
        let plane = shape.dropFirst(2).reduce(1, *)
        let values = attribution.plain().scalars
        var reduced = [Float](repeating: 0, count: samples * plane)
        for n in 0..<samples {
            for c in 0..<channels {
                let source = (n * channels + c) * plane
                for p in 0..<plane {
                    let value = values[source + p]
                    switch self {
                    case .maxAbsolute: reduced[n * plane + p] = max(reduced[n * plane + p], abs(value))
                    case .sum: reduced[n * plane + p] += value
                    }
                }
            }
        }
        guard kind == .skeleton else { return Tensor(shape: [samples] + shape.dropFirst(2), scalars: reduced) }
        let persons = shape[4]
        let cells = plane / persons
        let averaged = (0..<(samples * cells)).map { cell in
            (0..<persons).reduce(Float(0)) { $0 + reduced[cell * persons + $1] } / Float(persons)
        }
        return Tensor(shape: [samples, shape[2], shape[3]], scalars: averaged)
    }
}
