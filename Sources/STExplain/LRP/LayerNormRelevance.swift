import STCore

/// LRP through a `LayerNorm` node as AttnLRP (Achtibat et al. 2024) and LXT linearise it: the
/// standard deviation σ = √(var(x) + ε_LN) of each row is held constant, which leaves the affine
/// map of the row x (the trailing axes, width W)
///
///     z = weight ⊙ (x − μ(x))/σ + bias,   J = diag(weight)/σ · (I − 𝟙𝟙ᵀ/W)   (centering included)
///
/// and relevance is shared by its ε rule: with r = R / (z + ε·sign z) and v = weight ⊙ r,
///
///     R_x = x ⊙ Jᵀr = x ⊙ (v − mean(v))/σ
///
/// Since Σ_i x_i(v_i − mean v) = Σ_i (x_i − μ)v_i, the row conserves Σ R_x = Σ R·(z − bias)/(z + ε·sign z):
/// all of R up to what the bias and ε absorb.
struct LayerNormRelevance: LRPLayerRule {
    func inputRelevance(_ step: LRPStep) throws -> [Tensor?] {
        [Self.inputRelevance(of: try step.op(as: LayerNorm.self), input: step.inputs[0], weight: step.state[0],
                             bias: step.state[1], relevance: step.relevance, epsilon: step.epsilon)]
    }

    /// The relevance of `layerNorm`'s input `x` from `relevance` of its output, with its `weight`
    /// and `bias` (both of the normalised trailing shape) and ε of the rule.
    static func inputRelevance(of layerNorm: LayerNorm, input x: Tensor, weight: Tensor, bias: Tensor,
                               relevance: Tensor, epsilon: Float) -> Tensor {
        let (values, fromAbove) = (x.scalars, relevance.plain().scalars)
        let (gamma, beta) = (weight.scalars, bias.scalars)
        let width = gamma.count
        var shares = [Float](repeating: 0, count: values.count)
        for start in stride(from: 0, to: values.count, by: width) {
            let row = start..<(start + width)
            let mean = values[row].reduce(0) { $0 + Double($1) } / Double(width)
            let variance = values[row].reduce(0) { $0 + (Double($1) - mean) * (Double($1) - mean) } / Double(width)
            let sigma = Float((variance + Double(layerNorm.epsilon)).squareRoot())
            let v = (0..<width).map { j in
                let z = gamma[j] * (values[start + j] - Float(mean)) / sigma + beta[j]
                return gamma[j] * fromAbove[start + j] / EpsilonRule.stabilised(z, epsilon: epsilon)
            }
            let meanV = v.reduce(0, +) / Float(width)
            for j in 0..<width { shares[start + j] = values[start + j] * (v[j] - meanV) / sigma }
        }
        return Tensor(shape: x.shape, scalars: shares)
    }
}
