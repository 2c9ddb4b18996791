/// Stochastic gradient descent with momentum, as PyTorch's `torch.optim.SGD` (dampening 0).
///
/// For each parameter θ with gradient ∇, step t:
///
///     g ← ∇ + λ·θ                          (weight decay λ, added to the gradient)
///     v ← g at t = 1, else μ·v + g         (momentum μ; skipped when μ = 0)
///     d ← g + μ·v if Nesterov, else v
///     θ ← θ − η·d                          (learning rate η)
///
/// With μ = 0 this is plain gradient descent, θ ← θ − η·(∇ + λθ).
public struct SGD: Optimizer {
    public var learningRate: Float
    public let momentum: Float
    public let weightDecay: Float
    public let nesterov: Bool
    /// The momentum buffer v of each parameter, by state key.
    private var velocity: [String: [Float]] = [:]

    public init(learningRate: Float, momentum: Float = 0, weightDecay: Float = 0, nesterov: Bool = false) {
        precondition(learningRate >= 0 && momentum >= 0 && weightDecay >= 0,
                     "SGD needs non-negative hyper-parameters")
        precondition(!nesterov || momentum > 0, "Nesterov momentum needs a momentum > 0")
        self.learningRate = learningRate
        self.momentum = momentum
        self.weightDecay = weightDecay
        self.nesterov = nesterov
    }

    public mutating func step(_ graph: inout Graph, gradients: [String: Tensor]) {
        Self.forEachParameter(of: &graph, gradients: gradients) { key, theta, gradient in
            // Taken out of the dictionary so that it is updated in place.
            var v = velocity.removeValue(forKey: key) ?? []
            let first = v.isEmpty
            if momentum > 0 && first { v = [Float](repeating: 0, count: theta.count) }
            for i in theta.indices {
                var g = gradient[i] + weightDecay * theta[i]
                if momentum > 0 {
                    v[i] = first ? g : momentum * v[i] + g
                    g = nesterov ? g + momentum * v[i] : v[i]
                }
                theta[i] -= learningRate * g
            }
            if momentum > 0 { velocity[key] = v }
        }
    }
}
