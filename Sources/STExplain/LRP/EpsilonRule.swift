import STCore

/// LRP-ε (Bach et al. 2015): R_i = Σ_j x_i·w_ij / (z_j + ε·sign(z_j)) · R_j with z_j = Σ_i x_i·w_ij + b_j;
/// the bias and ε absorb some relevance.
public struct EpsilonRule: LRPRule {
    public var epsilon: Float
    public init(epsilon: Float = 1e-6) { self.epsilon = epsilon }
    public var name: String { "epsilon" }

    /// The one term is the layer itself.
    public var groupsSumToLayer: Bool { true }

    public func groups(input x: Tensor, parameters: [Tensor], roles: [String]) -> [LRPGroup] {
        [LRPGroup(weight: 1, terms: [LRPTerm(input: x, parameters: parameters)])]
    }

    /// The stabilised denominator z + ε·sign z with sign 0 = +1, for relevance steps written
    /// element by element (`Tensor.divided(byStabilised:epsilon:)` divides whole tensors by it).
    @inline(__always)
    static func stabilised(_ z: Float, epsilon: Float) -> Float {
        z + (z >= 0 ? epsilon : -epsilon)
    }
}
