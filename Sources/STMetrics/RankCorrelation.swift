import STCore

/// Spearman's rank correlation (Spearman 1904), the similarity measure of the model-parameter
/// randomisation check (Adebayo et al. 2018): the Pearson correlation of the two samples' ranks,
///
///     ρ = Σ (r_i − r̄)(s_i − s̄) / √(Σ (r_i − r̄)² · Σ (s_i − s̄)²),
///
/// with tied values given the average of the ranks they span (scipy's `spearmanr`). Without ties
/// this is 1 − 6·Σ d_i² / (n(n² − 1)). When either sample is constant (no rank varies) ρ is
/// undefined; it is reported as 0, no evidence of agreement, rather than NaN.
public enum RankCorrelation {
    /// The 1-based ranks of `values`, ties given their average rank: [10, 20, 20, 5] → [2, 3.5, 3.5, 1].
    /// Throws when a value is NaN.
    public static func ranks<Value: BinaryFloatingPoint>(_ values: [Value]) throws -> [Double] {
        guard !values.contains(where: \.isNaN) else {
            throw STError.invalidRequest("cannot rank \(values.count) values that contain NaN")
        }
        let order = values.indices.sorted { values[$0] < values[$1] }
        var ranks = [Double](repeating: 0, count: values.count)
        var start = 0
        while start < order.count {
            var end = start + 1
            while end < order.count && values[order[end]] == values[order[start]] { end += 1 }
            let average = Double(start + 1 + end) / 2
            for i in start..<end { ranks[order[i]] = average }
            start = end
        }
        return ranks
    }

    /// ρ of two samples of equal length. Throws for unequal lengths or NaN values.
    public static func spearman<Value: BinaryFloatingPoint>(_ x: [Value], _ y: [Value]) throws -> Double {
        guard x.count == y.count else {
            throw STError.invalidRequest("Spearman correlation needs samples of one length; got \(x.count) and \(y.count)")
        }
        let (r, s) = (try ranks(x), try ranks(y))
        let (rMean, sMean) = (r.reduce(0, +) / Double(r.count), s.reduce(0, +) / Double(s.count))
        var (covariance, rVariance, sVariance) = (0.0, 0.0, 0.0)
        for (a, b) in zip(r, s) {
            covariance += (a - rMean) * (b - sMean)
            rVariance += (a - rMean) * (a - rMean)
            sVariance += (b - sMean) * (b - sMean)
        }
        return rVariance > 0 && sVariance > 0 ? covariance / (rVariance * sVariance).squareRoot() : 0
    }

    /// ρ per sample of two batches of maps of one shape (N, …), each sample's elements flattened.
    public static func spearman(_ x: Tensor, _ y: Tensor) throws -> [Double] {
        guard x.shape == y.shape, x.rank >= 1 else {
            throw STError.invalidRequest("Spearman correlation needs maps of one shape (N, …); got \(x.shape) and \(y.shape)")
        }
        let size = x.shape[0] > 0 ? x.count / x.shape[0] : 0
        let (a, b) = (x.plain().scalars, y.plain().scalars)
        return try (0..<x.shape[0]).map { n in
            let range = (n * size)..<((n + 1) * size)
            return try spearman(Array(a[range]), Array(b[range]))
        }
    }
}
