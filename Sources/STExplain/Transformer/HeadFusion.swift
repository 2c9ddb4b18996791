/// How attention rollout fuses a block's heads into one map (Abnar & Zuidema 2020 take the
/// mean; vit-explain also offers the maximum and the minimum).
public enum HeadFusion: String, CaseIterable, Sendable, Codable {
    case mean, max, min

    /// The element-wise mean, maximum or minimum over `heads` matrices of `size` elements, stored
    /// one after another in `values`.
    func fuse(_ values: ArraySlice<Float>, heads: Int, size: Int) -> [Float] {
        let base = values.startIndex
        var fused = Array(values[base..<(base + size)])
        for h in 1..<Swift.max(heads, 1) {
            let offset = base + h * size
            for i in 0..<size {
                let value = values[offset + i]
                switch self {
                case .mean: fused[i] += value
                case .max: fused[i] = Swift.max(fused[i], value)
                case .min: fused[i] = Swift.min(fused[i], value)
                }
            }
        }
        if self == .mean { for i in 0..<size { fused[i] /= Float(heads) } }
        return fused
    }
}
