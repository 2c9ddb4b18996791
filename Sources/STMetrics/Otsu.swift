import STCore

/// Otsu's threshold (Otsu 1979), split as scikit-image's `threshold_otsu` splits: a histogram
/// of `bins` equal bins over [min, max] of the values (the maximum in the last bin); for each
/// split after bin i, the between-class variance w₀·w₁·(μ₀ − μ₁)², with class weights w (counts)
/// and means μ taken at the bin centres; the split maximises it (the first on ties).
///
/// The threshold returned is the largest value below the split, so `value > threshold` is
/// exactly the upper class. (scikit-image returns the centre of bin i instead, which puts the
/// values in the upper half of that bin on the wrong side.) The split moves with any increasing
/// affine change of the values, so min–max normalising maps to [0, 1] first changes nothing.
public enum Otsu {
    /// The threshold of `values`; their common value when they are all equal (then nothing lies
    /// above it). Throws for no values, a non-finite value or fewer than two bins.
    public static func threshold(_ values: [Float], bins: Int = 256) throws -> Float {
        guard let low = values.min(), let high = values.max(), low.isFinite, high.isFinite, bins >= 2 else {
            throw STError.invalidRequest("Otsu's threshold needs finite values and at least two bins; got \(values.count) "
                                         + "values in \(values.min() ?? .nan)…\(values.max() ?? .nan), \(bins) bins")
        }
        guard low < high else { return low }
        let (start, width) = (Double(low), (Double(high) - Double(low)) / Double(bins))
        let binOf = { (value: Float) in min(Int((Double(value) - start) / width), bins - 1) }
        var histogram = [Double](repeating: 0, count: bins)
        for value in values { histogram[binOf(value)] += 1 }
        let centres = (0..<bins).map { start + (Double($0) + 0.5) * width }
        let total = Double(values.count)
        let totalSum = zip(histogram, centres).reduce(0) { $0 + $1.0 * $1.1 }
        var (weight, sum) = (0.0, 0.0)
        var (best, split) = (-1.0, 0)
        for bin in 0..<(bins - 1) {
            weight += histogram[bin]
            sum += histogram[bin] * centres[bin]
            // Bin 0 holds the minimum and the last bin the maximum, so neither class is empty.
            let meanDifference = sum / weight - (totalSum - sum) / (total - weight)
            let between = weight * (total - weight) * meanDifference * meanDifference
            if between > best { (best, split) = (between, bin) }
        }
        return values.filter { binOf($0) <= split }.max() ?? low
    }
}
