import STCore

/// LRP-γ (Montavon et al. 2019), for layers after a ReLU: positive weights boosted by γ,
///
///     R_i = Σ_j x_i·(w_ij + γ·w⁺_ij) / Σ_i' x_i'·(w_i'j + γ·w⁺_i'j) + (b_j + γ·b⁺_j) · R_j
///
/// γ = 0 is LRP-0 (ε without ε); large γ tends to z⁺. This is the rule's classic form for
/// non-negative inputs (zennit's `Gamma` adds a sign-aware variant for negative outputs).
public struct GammaRule: LRPRule {
    public var gamma: Float
    public var epsilon: Float { 1e-6 }

    public init(gamma: Float = 0.25) {
        self.gamma = gamma
    }

    public var name: String { "gamma" }

    public func groups(input x: Tensor, parameters: [Tensor], roles: [String]) -> [LRPGroup] {
        let gamma = self.gamma
        let boost = WeightTransform(name: "w+\(gamma)·max(w,0)") { $0 + gamma * max($0, 0) }
        return [LRPGroup(weight: 1, terms: [
            LRPTerm(input: x, parameters: LRPTerm.parameters(parameters, roles: roles, weight: boost, bias: boost)),
        ])]
    }
}
