/// Resizing of `N × C × spatial…` tensors by interpolation (oneDNN's resampling primitive).
public enum Resampling {
    /// Linear (1 spatial axis), bilinear (2) or trilinear (3) interpolation of `x`, shaped
    /// `N × C × spatial…`, to the spatial size `size`; returns a plain `N × C × size…` tensor.
    ///
    /// The interpolation is separable. Along an axis resized from `in` to `out` points, output
    /// position `o` samples the input at
    ///
    ///     s = max(0, (o + ½)·in/out − ½),   i₀ = ⌊s⌋,   i₁ = min(i₀ + 1, in − 1),   λ = s − i₀
    ///     y[o] = (1 − λ)·x[i₀] + λ·x[i₁]
    ///
    /// so the samples are spread like pixel centres and the borders repeat the edge value. This
    /// is PyTorch's `F.interpolate(x, size=size, mode="linear" | "bilinear" | "trilinear",
    /// align_corners=False)` (with `size`, not `scale_factor`).
    ///
    /// oneDNN (`resampling_utils.hpp`) does not clamp the coordinate itself: it computes
    /// `s' = (o + ½)·in/out − ½` in single precision, takes the neighbours
    /// `max(⌊s'⌋, 0)` and `min(⌈s'⌉, in − 1)` and weighs the second by `s'` minus the first. For
    /// `s' ≥ 0` that is the formula above; for `−½ < s' < 0` both neighbours are `x[0]`, which is
    /// what PyTorch's clamp `s = 0` gives too. So the results equal PyTorch's up to rounding
    /// (within 1e−5 on values in [−1, 1] in the tests); a size equal to the input's copies that
    /// axis exactly.
    ///
    /// `x` may be in any `MemoryFormat`. Throws `STError.shape(node: "resampling", reason:)` when
    /// `x` does not have rank 3, 4 or 5, `size` does not give one size per spatial axis, or a
    /// spatial size of `x` or `size` is below 1.
    public static func linear(_ x: Tensor, to size: [Int]) throws -> Tensor {
        guard (3...5).contains(x.rank) else {
            throw shapeError("linear resampling needs an N × C × spatial… input with 1, 2 or 3 spatial axes, got \(x.shape)")
        }
        guard size.count == x.rank - 2 else {
            throw shapeError("size \(size) gives \(size.count) spatial sizes for the \(x.rank - 2) spatial axes of \(x.shape)")
        }
        guard size.allSatisfy({ $0 >= 1 }), x.shape.dropFirst(2).allSatisfy({ $0 >= 1 }) else {
            throw shapeError("cannot resample \(x.shape) to spatial size \(size): spatial sizes must be at least 1")
        }
        return try DNNL.linearResampling(x, to: Array(x.shape.prefix(2)) + size)
    }

    private static func shapeError(_ reason: String) -> STError {
        STError.shape(node: "resampling", reason: reason)
    }
}
