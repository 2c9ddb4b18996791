import STCore

/// Chefer, Gur & Wolf's rule for a sum z = a + b of two operands that both depend on the input
/// (a residual connection): each operand's proportional share, rescaled per sample so that the
/// two totals split the relevance in the ratio of their absolute sizes and add up to it,
///
///     R_a = a ⊙ R / z,   R_b = b ⊙ R / z                          (elementwise, safe division)
///     R_a ← R_a · |ΣR_a| / (|ΣR_a| + |ΣR_b|) · ΣR / ΣR_a          (and R_b alike)
///
/// Without the rescaling, elements where a and b nearly cancel (z ≈ 0) take huge shares that
/// grow block after block; on full-size random transformers (VideoMAE, TimeSformer) the relevance
/// overflows to ∞ by the first blocks. A sum with a constant (a bias), or with broadcasting, is
/// shared in proportion as before.
struct NormalisedSum: LRPLayerRule {
    func inputRelevance(_ step: LRPStep) throws -> [Tensor?] {
        let shares = try step.proportional()
        guard step.flows == [true, true], let a = shares[0], let b = shares[1],
              a.shape == step.relevance.shape, b.shape == step.relevance.shape, let samples = a.shape.first, samples > 0
        else { return shares }
        let (scaledA, scaledB) = Self.rescaled(a, b, relevance: step.relevance)
        return [scaledA, scaledB]
    }

    /// The proportional shares `a` and `b` of `relevance` (all of one shape, samples first),
    /// rescaled per sample to |ΣR_a| : |ΣR_b| of ΣR.
    static func rescaled(_ a: Tensor, _ b: Tensor, relevance: Tensor) -> (Tensor, Tensor) {
        let (ra, rb, r) = (a.plain().scalars, b.plain().scalars, relevance.plain().scalars)
        let samples = relevance.shape[0], size = r.count / samples
        var (scaledA, scaledB) = (ra, rb)
        for n in 0..<samples {
            let span = (n * size)..<((n + 1) * size)
            let (sumA, sumB) = (Self.sum(ra[span]), Self.sum(rb[span]))
            let magnitude = abs(sumA) + abs(sumB), total = Self.sum(r[span])
            let factorA = Self.safeRatio(abs(sumA) * total, magnitude * sumA)
            let factorB = Self.safeRatio(abs(sumB) * total, magnitude * sumB)
            for i in span {
                scaledA[i] = Float(Double(ra[i]) * factorA)
                scaledB[i] = Float(Double(rb[i]) * factorB)
            }
        }
        return (Tensor(shape: a.shape, scalars: scaledA), Tensor(shape: b.shape, scalars: scaledB))
    }

    private static func sum(_ values: ArraySlice<Float>) -> Double {
        values.reduce(0) { $0 + Double($1) }
    }

    /// x / y, or 0 where y = 0 (their `safe_divide`).
    private static func safeRatio(_ x: Double, _ y: Double) -> Double {
        y == 0 ? 0 : x / y
    }
}
