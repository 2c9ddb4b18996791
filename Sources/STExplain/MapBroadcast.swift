import STCore

/// Applies a map over the input's map axes to an input-shaped tensor, broadcast over channels
/// (and persons for skeletons).
enum MapBroadcast {
    /// x ⊙ map: (N, C, axes…) · (N, axes…); skeletons (N, C, T, V, M) · (N, T, V).
    static func multiply(_ x: Tensor, by map: Tensor, kind: InputKind) -> Tensor {
        let shape = x.shape
        let (samples, channels) = (shape[0], shape[1])
        let plane = shape.dropFirst(2).reduce(1, *)
        let persons = kind == .skeleton ? shape[4] : 1
        let values = x.plain().scalars
        let weights = map.plain().scalars
        var result = values
        for n in 0..<samples {
            for c in 0..<channels {
                let base = (n * channels + c) * plane
                for p in 0..<plane { result[base + p] = values[base + p] * weights[n * (plane / persons) + p / persons] }
            }
        }
        return Tensor(shape: shape, scalars: result)
    }
}
