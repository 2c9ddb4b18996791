import Testing
@testable import STCore

/// Numerical gradients and the tensor comparison used by every kernel test.
enum FiniteDifference {
    /// The gradient of a scalar function by central differences: for every element `i`,
    ///
    ///     ∂f/∂x_i ≈ (f(x + ε·e_i) − f(x − ε·e_i)) / ((x_i + ε) − (x_i − ε))
    ///
    /// `f` is evaluated in `Float` (it is usually the kernel under test), the difference and the
    /// division are done in `Double`, and the denominator is the step actually taken after
    /// rounding `x_i ± ε` to `Float` (≈ 2ε). Exact for quadratics up to the rounding of `f`; the
    /// truncation error is O(ε²·f‴) and the rounding error about `ulp(f) / ε`.
    static func gradient(of f: (Tensor) throws -> Float, at x: Tensor, epsilon: Float = 1e-2) rethrows -> Tensor {
        precondition(epsilon > 0, "finite-difference step \(epsilon)")
        let base = x.scalars
        var gradient = [Float](repeating: 0, count: base.count)
        for i in base.indices {
            var plus = base, minus = base
            plus[i] = base[i] + epsilon
            minus[i] = base[i] - epsilon
            let step = Double(plus[i]) - Double(minus[i])
            precondition(step > 0, "step \(epsilon) vanishes at x[\(i)] = \(base[i])")
            let fPlus = try f(Tensor(shape: x.shape, scalars: plus))
            let fMinus = try f(Tensor(shape: x.shape, scalars: minus))
            gradient[i] = Float((Double(fPlus) - Double(fMinus)) / step)
        }
        return Tensor(shape: x.shape, scalars: gradient)
    }

    /// The normwise (∞-norm) relative error, symmetric in `a` and `b`:
    ///
    ///     max_i |a_i − b_i| / max(max_i |a_i|, max_i |b_i|, 1e-6)
    ///
    /// Every difference is measured against the largest magnitude in either tensor, so entries
    /// that are tiny compared with the rest (or exactly zero) do not blow the error up, as they
    /// would with an elementwise relative error; the 1e-6 floor only avoids dividing by zero when
    /// both tensors are (almost) all zeros. Positions holding NaN in both tensors, or the same
    /// infinity in both, count as equal; any other NaN or infinity makes the error `+∞`.
    /// The shapes must be equal.
    static func relativeError(_ a: Tensor, _ b: Tensor) -> Float {
        precondition(a.shape == b.shape, "relative error of shapes \(a.shape) and \(b.shape)")
        var largestDifference = 0.0, largestMagnitude = 0.0
        for (u, v) in zip(a.scalars, b.scalars) {
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

    /// Records an `Issue` (at the caller's location) unless `a` and `b` have the same shape and
    /// `relativeError(a, b) <= tolerance`; the issue names both shapes, the error and the tolerance.
    static func expectClose(_ a: Tensor, _ b: Tensor, tolerance: Float, sourceLocation: SourceLocation = #_sourceLocation) {
        guard a.shape == b.shape else {
            Issue.record("shapes differ: \(a.shape) vs \(b.shape) (\(a) vs \(b))", sourceLocation: sourceLocation)
            return
        }
        let error = relativeError(a, b)
        if !(error <= tolerance) {
            Issue.record("relative error \(error) exceeds tolerance \(tolerance) for shapes \(a.shape) and \(b.shape): \(a) vs \(b)",
                         sourceLocation: sourceLocation)
        }
    }
}
