import STCore

/// How far computed numbers may stray from the expected ones, each case naming its semantics so a
/// test says which comparison it makes. Differences are taken in `Float` for the element-wise
/// cases, as the kernels compute them.
package enum Tolerance: Sendable, Equatable, CustomStringConvertible {
    /// Every element within `bound` of its expected value: |a_i − e_i| ≤ bound. NaN never passes.
    case absolute(Float)
    /// Every element within `bound` times the larger of its expected magnitude and `floor`:
    /// |a_i − e_i| ≤ bound · max(floor, |e_i|). With floor 1 the bound is absolute for expected
    /// values below one and relative above. NaN never passes.
    case relative(Float, floor: Float)
    /// The largest difference within `bound` of the largest magnitude in either array, the
    /// ∞-norm relative error of `normwiseRelativeError`: max_i |a_i − e_i| ≤ bound ·
    /// max(max_i |a_i|, max_i |e_i|, 1e-6). Small entries beside large ones are measured against
    /// the large ones, so rounding in a sum does not fail an entry that cancelled to almost zero.
    case normwise(Float)

    package var description: String {
        switch self {
        case .absolute(let bound): "absolute tolerance \(bound)"
        case .relative(let bound, let floor): "relative tolerance \(bound), floor \(floor)"
        case .normwise(let bound): "normwise relative tolerance \(bound)"
        }
    }

    /// The first element that is not close enough, as "index i: actual a, expected e, …" with the
    /// limit it broke; `nil` when all are. For `.normwise` the element reported is the one with the
    /// largest difference (or the first NaN or infinity out of place). The counts must be equal.
    package func violation(_ actual: [Float], _ expected: [Float]) -> String? {
        precondition(actual.count == expected.count, "comparing \(actual.count) values with \(expected.count)")
        func element(_ i: Int) -> String { "index \(i): actual \(actual[i]), expected \(expected[i])" }
        func difference(_ i: Int) -> Float { abs(actual[i] - expected[i]) }
        switch self {
        case .absolute(let bound):
            guard let i = actual.indices.first(where: { !(difference($0) <= bound) }) else { return nil }
            return "\(element(i)), |difference| \(difference(i)) > \(self)"
        case .relative(let bound, let floor):
            func limit(_ i: Int) -> Float { bound * max(floor, abs(expected[i])) }
            guard let i = actual.indices.first(where: { !(difference($0) <= limit($0)) }) else { return nil }
            return "\(element(i)), |difference| \(difference(i)) > \(bound) · max(\(floor), |\(expected[i])|)"
                + " = \(limit(i)) (\(self))"
        case .normwise(let bound):
            let error = normwiseRelativeError(actual, expected)
            guard !(error <= bound) else { return nil }
            let i = actual.indices.max { a, b in
                Self.normwiseDistance(actual[a], expected[a]) < Self.normwiseDistance(actual[b], expected[b])
            } ?? 0
            return "\(element(i)), normwise relative error \(error) > \(bound)"
        }
    }

    /// |a − e| in `Double`, infinite where `normwiseRelativeError` would call the pair unequal.
    private static func normwiseDistance(_ a: Float, _ e: Float) -> Double {
        if a.isNaN || e.isNaN { return a.isNaN && e.isNaN ? 0 : .infinity }
        if a.isInfinite || e.isInfinite { return a == e ? 0 : .infinity }
        return abs(Double(a) - Double(e))
    }
}

/// The normwise (∞-norm) relative error, symmetric in `a` and `b`:
///
///     max_i |a_i − b_i| / max(max_i |a_i|, max_i |b_i|, 1e-6)
///
/// Every difference is measured against the largest magnitude in either array, so entries that
/// are tiny compared with the rest (or exactly zero) do not blow the error up, as they would with
/// an element-wise relative error; the 1e-6 floor only avoids dividing by zero when both are (almost)
/// all zeros. Positions holding NaN in both, or the same infinity in both, count as equal; any
/// other NaN or infinity makes the error `+∞`. Computed in `Double`; the counts must be equal.
package func normwiseRelativeError(_ a: [Float], _ b: [Float]) -> Float {
    precondition(a.count == b.count, "relative error of \(a.count) and \(b.count) values")
    var largestDifference = 0.0, largestMagnitude = 0.0
    for (u, v) in zip(a, b) {
        if u.isNaN || v.isNaN {
            if u.isNaN && v.isNaN { continue }
            return .infinity
        }
        if u.isInfinite || v.isInfinite {
            if u == v { continue }
            return .infinity
        }
        largestDifference = max(largestDifference, abs(Double(u) - Double(v)))
        largestMagnitude = max(largestMagnitude, abs(Double(u)), abs(Double(v)))
    }
    return Float(largestDifference / max(largestMagnitude, 1e-6))
}

/// `normwiseRelativeError` of two tensors' elements; the shapes must be equal.
package func normwiseRelativeError(_ a: Tensor, _ b: Tensor) -> Float {
    precondition(a.shape == b.shape, "relative error of shapes \(a.shape) and \(b.shape)")
    return normwiseRelativeError(a.scalars, b.scalars)
}
