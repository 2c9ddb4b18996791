@testable import STCore

extension Reference {
    /// `torch.nn.functional.interpolate(x, size: size, mode: "linear" | "bilinear" | "trilinear",
    /// align_corners: false)`. The last `size.count` axes of `x` are spatial, all leading axes are
    /// resampled independently. The interpolation is separable, so it is applied one spatial axis
    /// at a time; along an axis of input size `in` and output size `out` (PyTorch's
    /// `area_pixel_compute_source_index`, which clamps negative coordinates to 0 for linear modes):
    ///
    ///     s = max(0, (o + ½)·in/out − ½),   i₀ = ⌊s⌋,   i₁ = min(i₀ + 1, in − 1),   λ = s − i₀
    ///     y[…, o, …] = (1 − λ)·x[…, i₀, …] + λ·x[…, i₁, …]
    static func linearInterpolate(_ x: Tensor, size: [Int]) -> Tensor {
        let spatial = size.count
        precondition(spatial >= 1 && x.rank > spatial && size.allSatisfy { $0 >= 1 }, "interpolating \(x.shape) to \(size)")
        var shape = x.shape
        var values = x.scalars.map(Double.init)
        for (offset, outSize) in size.enumerated() {
            let axis = x.rank - spatial + offset
            let inSize = shape[axis]
            var outShape = shape
            outShape[axis] = outSize
            var out = [Double]()
            out.reserveCapacity(outShape.reduce(1, *))
            forEachIndex(outShape) { index in
                let s = max(0, (Double(index[axis]) + 0.5) * Double(inSize) / Double(outSize) - 0.5)
                let i0 = Int(s.rounded(.down)), i1 = min(i0 + 1, inSize - 1)
                let lambda = s - Double(i0)
                var low = index, high = index
                low[axis] = i0
                high[axis] = i1
                out.append((1 - lambda) * values[flatOffset(low, in: shape)] + lambda * values[flatOffset(high, in: shape)])
            }
            shape = outShape
            values = out
        }
        return Tensor(shape: shape, scalars: values.map(Float.init))
    }
}
