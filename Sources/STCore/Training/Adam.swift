/// Adam (Kingma & Ba, 2015), as PyTorch's `torch.optim.Adam` (without AMSGrad).
///
/// For each parameter θ with gradient ∇, at its t-th step (t = 1, 2, …), with m = v = 0 before
/// the first:
///
///     g ← ∇ + λ·θ                              (weight decay λ, L2 style: added to the gradient)
///     m ← β₁·m + (1 − β₁)·g
///     v ← β₂·v + (1 − β₂)·g²
///     θ ← θ − η/(1 − β₁ᵗ) · m / (√v / √(1 − β₂ᵗ) + ε)
public struct Adam: Optimizer {
    public var learningRate: Float
    public let beta1: Float
    public let beta2: Float
    public let epsilon: Float
    public let weightDecay: Float

    /// First and second moment estimates of one parameter and the number of steps taken.
    private struct Moments {
        var first: [Float]
        var second: [Float]
        var steps: Int
    }
    private var moments: [String: Moments] = [:]

    public init(learningRate: Float = 1e-3, beta1: Float = 0.9, beta2: Float = 0.999, epsilon: Float = 1e-8,
                weightDecay: Float = 0) {
        precondition(learningRate >= 0 && epsilon >= 0 && weightDecay >= 0, "Adam needs non-negative hyper-parameters")
        precondition((0..<1).contains(beta1) && (0..<1).contains(beta2), "Adam needs β₁, β₂ in [0, 1)")
        self.learningRate = learningRate
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        self.weightDecay = weightDecay
    }

    public mutating func step(_ graph: inout Graph, gradients: [String: Tensor]) {
        Self.forEachParameter(of: &graph, gradients: gradients) { key, theta, gradient in
            // Taken out of the dictionary so that it is updated in place.
            var state = moments.removeValue(forKey: key)
                ?? Moments(first: [Float](repeating: 0, count: theta.count),
                           second: [Float](repeating: 0, count: theta.count), steps: 0)
            state.steps += 1
            // The bias corrections in double precision, as PyTorch computes them.
            let t = Double(state.steps)
            let stepSize = Float(Double(learningRate) / (1 - pow(Double(beta1), t)))
            let secondCorrection = Float((1 - pow(Double(beta2), t)).squareRoot())
            for i in theta.indices {
                let g = gradient[i] + weightDecay * theta[i]
                state.first[i] = beta1 * state.first[i] + (1 - beta1) * g
                state.second[i] = beta2 * state.second[i] + (1 - beta2) * g * g
                theta[i] -= stepSize * state.first[i] / (state.second[i].squareRoot() / secondCorrection + epsilon)
            }
            moments[key] = state
        }
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
