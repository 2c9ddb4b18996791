/// How attention rollout fuses a block's heads into one map (Abnar & Zuidema 2020 take the
/// mean; vit-explain also offers the maximum and the minimum).
public enum HeadFusion: String, CaseIterable, Sendable, Codable {
    case mean, max, min

    /// The element-wise mean, maximum or minimum over `heads` matrices of `size` elements, stored
    /// one after another in `source`.
    func fuse(_ source: UnsafeBufferPointer<Float>, heads: Int, size: Int) -> [Float] {
        var fused = Array(source.prefix(size))
        fused.withUnsafeMutableBufferPointer { target in
            for h in 1..<Swift.max(heads, 1) {
                let head = source.baseAddress! + h * size
                switch self {
                case .mean: for i in 0..<size { target[i] += head[i] }
                case .max: for i in 0..<size { target[i] = Swift.max(target[i], head[i]) }
                case .min: for i in 0..<size { target[i] = Swift.min(target[i], head[i]) }
                }
            }
            if self == .mean {
                let scale = 1 / Float(heads)
                for i in 0..<size { target[i] *= scale }
            }
        }
        return fused
    }
}
