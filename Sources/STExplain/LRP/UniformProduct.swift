import STCore

/// AttnLRP's rule for bilinear products (Achtibat et al. 2024, Proposition 3.3): a matrix product
/// z = a·b of two operands that both depend on the input (Q·Kᵀ, A·V) is linear in each operand
/// with the other held fixed; each gets the ε rule of that linear map, and the two share the
/// relevance uniformly,
///
///     R_a = ½ · a ⊙ ((R / (z + ε·sign z))·bᵀ),   R_b = ½ · b ⊙ (aᵀ·(R / (z + ε·sign z)))
///
/// so Σ R_a + Σ R_b = Σ R up to ε. A product with a constant (a projection exported as MatMul)
/// is the ε rule of the other operand's linear map.
struct UniformProduct: LRPLayerRule {
    func inputRelevance(_ step: LRPStep) throws -> [Tensor?] {
        let shares = try step.proportional()
        guard step.flows == [true, true] else { return shares }
        return shares.map { $0?.scaled(by: 0.5) }
    }
}
