import STCore

/// LRP-z⁺ (Montavon et al. 2017): αβ with α = 1, β = 0 and no bias — R_i = Σ_j z⁺_ij / Σ_i z⁺_ij · R_j.
public struct ZPlusRule: LRPRule {
    public init() {}
    public var name: String { "zplus" }
    public var epsilon: Float { 1e-6 }

    public func groups(input x: Tensor, parameters: [Tensor], roles: [String]) -> [LRPGroup] {
        AlphaBetaRule(alpha: 1, beta: 0, includesBias: false).groups(input: x, parameters: parameters, roles: roles)
    }
}
