import STCore

/// Structural similarity (Wang et al. 2004) of two maps, computed as scikit-image's
/// `structural_similarity` with its defaults: a uniform w × w window (w = 7), K₁ = 0.01,
/// K₂ = 0.03, and sample (co)variances (`use_sample_covariance=True`). For each window,
///
///     SSIM = (2μₓμᵧ + C₁)(2σₓᵧ + C₂) / ((μₓ² + μᵧ² + C₁)(σₓ² + σᵧ² + C₂)),
///
/// with C₁ = (K₁L)², C₂ = (K₂L)², L the data range, means over the window's w² elements and
/// σ² = w²/(w² − 1)·(mean of squares − square of mean). The result is the mean over the windows
/// that lie wholly inside the map — the positions scikit-image keeps after cropping (w − 1)/2
/// from each border. C₁, C₂ > 0 keep constant maps finite (two equal constant maps score 1).
public enum SSIM {
    public static let k1 = 0.01
    public static let k2 = 0.03

    /// The mean SSIM of each H × W slice of two tensors of one shape (…, H, W), in row-major
    /// order of the leading axes (one value for a rank-2 tensor).
    /// - Parameters:
    ///   - dataRange: L, the span the maps' values can take (1 for maps normalised to [0, 1]).
    ///   - windowSize: w, odd, at least 3 and at most H and W.
    /// - Throws: `STError.invalidRequest` for shapes that differ or are too small for the
    ///   window, an even or non-positive window, or a data range that is not positive.
    public static func similarity(_ x: Tensor, _ y: Tensor, dataRange: Double, windowSize: Int = 7) throws -> [Double] {
        guard x.shape == y.shape, x.rank >= 2 else {
            throw STError.invalidRequest("SSIM needs maps of one shape (…, H, W); got \(x.shape) and \(y.shape)")
        }
        let (height, width) = (x.shape[x.rank - 2], x.shape[x.rank - 1])
        guard windowSize >= 3, windowSize % 2 == 1, windowSize <= min(height, width) else {
            throw STError.invalidRequest("SSIM needs an odd window of at least 3, no larger than the maps' \(height) × \(width); got \(windowSize)")
        }
        guard dataRange > 0, dataRange.isFinite else {
            throw STError.invalidRequest("SSIM needs a positive data range; got \(dataRange)")
        }
        let (c1, c2) = ((k1 * dataRange) * (k1 * dataRange), (k2 * dataRange) * (k2 * dataRange))
        let elements = Double(windowSize * windowSize)
        let covarianceScale = elements / (elements - 1)
        let (a, b) = (x.plain().scalars, y.plain().scalars)
        let plane = height * width
        return (0..<(x.count / plane)).map { slice in
            var total = 0.0
            for top in 0...(height - windowSize) {
                for left in 0...(width - windowSize) {
                    var (sx, sy, sxx, syy, sxy) = (0.0, 0.0, 0.0, 0.0, 0.0)
                    for row in top..<(top + windowSize) {
                        for column in left..<(left + windowSize) {
                            let index = slice * plane + row * width + column
                            let (u, v) = (Double(a[index]), Double(b[index]))
                            sx += u; sy += v; sxx += u * u; syy += v * v; sxy += u * v
                        }
                    }
                    let (mx, my) = (sx / elements, sy / elements)
                    let vx = covarianceScale * (sxx / elements - mx * mx)
                    let vy = covarianceScale * (syy / elements - my * my)
                    let vxy = covarianceScale * (sxy / elements - mx * my)
                    total += (2 * mx * my + c1) * (2 * vxy + c2) / ((mx * mx + my * my + c1) * (vx + vy + c2))
                }
            }
            return total / Double((height - windowSize + 1) * (width - windowSize + 1))
        }
    }
}
