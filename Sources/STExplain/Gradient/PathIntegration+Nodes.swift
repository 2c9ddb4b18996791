import Foundation

extension PathIntegration {
    /// Points α_i ∈ [0, 1] and weights w_i with ∫₀¹ f(α) dα ≈ Σ_i w_i·f(α_i), as Captum chooses them.
    func nodes(count n: Int) -> (alphas: [Double], weights: [Double]) {
        switch self {
        case .riemannTrapezoid:
            guard n > 1 else { return ([0.5], [1]) }
            let step = 1 / Double(n - 1)
            let weights = (0..<n).map { $0 == 0 || $0 == n - 1 ? step / 2 : step }
            return ((0..<n).map { Double($0) * step }, weights)
        case .riemannMiddle:
            return ((0..<n).map { (Double($0) + 0.5) / Double(n) }, Array(repeating: 1 / Double(n), count: n))
        case .gaussLegendre:
            let (roots, weights) = Self.legendre(n)
            return (roots.map { ($0 + 1) / 2 }, weights.map { $0 / 2 })
        }
    }

    /// Gauss–Legendre roots of P_n on [−1, 1] and their weights 2 / ((1 − x²)·P′_n(x)²), by Newton's
    /// method from Tricomi's initial guesses cos(π(i − ¼)/(n + ½)).
    private static func legendre(_ n: Int) -> (roots: [Double], weights: [Double]) {
        var roots = [Double](repeating: 0, count: n)
        var weights = roots
        for i in 0..<n {
            var x = cos(Double.pi * (Double(i) + 0.75) / (Double(n) + 0.5))
            var derivative = 0.0
            for _ in 0..<100 {
                var (previous, current) = (1.0, x)   // P₀, P₁; Bonnet's recursion up to P_{n−1}, P_n
                for order in stride(from: 2, through: n, by: 1) {
                    (previous, current) = (current, ((2 * Double(order) - 1) * x * current - Double(order - 1) * previous) / Double(order))
                }
                derivative = Double(n) * (x * current - previous) / (x * x - 1)
                let step = current / derivative
                x -= step
                if abs(step) < 1e-15 { break }
            }
            roots[n - 1 - i] = x
            weights[n - 1 - i] = 2 / ((1 - x * x) * derivative * derivative)
        }
        return (roots, weights)
    }
}
