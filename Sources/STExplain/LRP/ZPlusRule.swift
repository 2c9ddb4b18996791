import STCore

/// LRP-z⁺: αβ with α = 1, β = 0 — R_i = Σ_j z⁺_ij / (Σ_i z⁺_ij [+ b⁺_j]) · R_j.
///
/// Montavon et al. (2017) and innvestigate leave the bias out (the default); zennit's `ZPlus`
/// keeps the positive bias b⁺ in the denominator (`includesBias: true`, which is
/// `AlphaBetaRule(alpha: 1, beta: 0)`), so some relevance is absorbed where biases are positive.
/// The two agree on bias-free layers.
public struct ZPlusRule: LRPRule {
    /// Whether b⁺ enters the denominator (zennit's ZPlus) or the bias is dropped (Montavon et al.).
    public var includesBias: Bool

    public init(includesBias: Bool = false) {
        self.includesBias = includesBias
    }

    public var name: String { "zplus" }
    public var epsilon: Float { 1e-6 }

    public func groups(input x: Tensor, parameters: [Tensor], roles: [String]) -> [LRPGroup] {
        AlphaBetaRule(alpha: 1, beta: 0, includesBias: includesBias).groups(input: x, parameters: parameters, roles: roles)
    }
}
