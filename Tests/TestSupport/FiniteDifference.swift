import STCore

/// Numerical gradients, against which the kernel and model tests check analytic ones.
package enum FiniteDifference {
    /// The gradient of a scalar function by central differences: for every element `i`,
    ///
    ///     ∂f/∂x_i ≈ (f(x + ε·e_i) − f(x − ε·e_i)) / ((x_i + ε) − (x_i − ε))
    ///
    /// `f` is evaluated in `Float` (it is usually the kernel under test), the difference and the
    /// division are done in `Double`, and the denominator is the step actually taken after
    /// rounding `x_i ± ε` to `Float` (≈ 2ε). Exact for quadratics up to the rounding of `f`; the
    /// truncation error is O(ε²·f‴) and the rounding error about `ulp(f) / ε`.
    package static func gradient(of f: (Tensor) throws -> Float, at x: Tensor, epsilon: Float = 1e-2) rethrows -> Tensor {
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
}
