import STCore

/// Brings a map to the input's resolution (DESIGN §4): trilinear over (T, H, W) for video,
/// bilinear over (H, W) for images, linear over time for skeleton (T, V) maps — with PyTorch's
/// `align_corners=False` sampling (source coordinate (i + ½)·in/out − ½).
enum MapUpsampling {
    /// `map` (N, axes…) → (N, kind.mapShape(ofInput:)…). Maps with fewer axes (a 1×1×1 layer, a
    /// vector) are treated as having size 1 along the missing leading axes.
    static func toInput(_ map: Tensor, inputShape: [Int], kind: InputKind) throws -> Tensor {
        let target = kind.mapShape(ofInput: inputShape)
        var axes = Array(map.shape.dropFirst())
        guard axes.count <= target.count else {
            throw STError.invalidRequest("a map of shape \(map.shape) cannot be brought to an input of shape \(inputShape)")
        }
        axes = Array(repeating: 1, count: target.count - axes.count) + axes
        if axes == target { return map.reshaped([map.shape[0]] + target) }
        let resampled = try Resampling.linear(map.reshaped([map.shape[0], 1] + axes), to: target)
        return resampled.reshaped([map.shape[0]] + target)
    }
}
