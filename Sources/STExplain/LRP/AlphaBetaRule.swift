import STCore

/// LRP-αβ with α − β = 1 (seed 002's rule for convolutions, zennit's sign convention):
///
///     R_i = Σ_j ( α·z⁺_ij / (Σ_i z⁺_ij + b⁺_j) − β·z⁻_ij / (Σ_i z⁻_ij + b⁻_j) ) · R_j
///
/// with z⁺_ij = x⁺_i·w⁺_ij + x⁻_i·w⁻_ij (the positive contributions) and z⁻_ij = x⁺_i·w⁻_ij + x⁻_i·w⁺_ij,
/// the bias split into b⁺ and b⁻ in the two denominators, as zennit's `AlphaBeta`. α = 1, β = 0 is
/// zennit's `ZPlus`; `ZPlusRule` drops the bias by default (Montavon et al.).
public struct AlphaBetaRule: LRPRule {
    public var alpha: Float
    public var beta: Float
    public var epsilon: Float { 1e-6 }
    /// Whether the split bias enters the denominators (seed 002) or is left out.
    public var includesBias: Bool

    public init(alpha: Float = 2, beta: Float = 1, includesBias: Bool = true) {
        self.alpha = alpha
        self.beta = beta
        self.includesBias = includesBias
    }

    public var name: String { "alpha\(Self.format(alpha))beta\(Self.format(beta))" }

    /// z⁺ and z⁻ add up to the layer's output x·w + b when the bias is split between them.
    public var groupsSumToLayer: Bool { includesBias && beta != 0 }

    public func groups(input x: Tensor, parameters: [Tensor], roles: [String]) -> [LRPGroup] {
        // Terms on an all-zero part of x (x⁻ after a ReLU) add nothing and are left out.
        let (xPositive, xNegative) = x.signParts
        func weights(_ transform: WeightTransform, bias: WeightTransform?) -> [Tensor] {
            LRPTerm.parameters(parameters, roles: roles, weight: transform, bias: includesBias ? bias : nil)
        }
        let positiveWeights = WeightTransform.positivePart
        let negativeWeights = WeightTransform.negativePart
        func terms(positiveInput: WeightTransform, negativeInput: WeightTransform) -> [LRPTerm] {
            [xPositive.map { LRPTerm(input: $0, parameters: weights(positiveInput, bias: positiveInput)) },
             xNegative.map { LRPTerm(input: $0, parameters: weights(negativeInput, bias: nil)) }].compactMap { $0 }
        }
        var groups = [LRPGroup(weight: alpha, terms: terms(positiveInput: positiveWeights, negativeInput: negativeWeights))]
        if beta != 0 {
            groups.append(LRPGroup(weight: -beta, terms: terms(positiveInput: negativeWeights, negativeInput: positiveWeights)))
        }
        return groups
    }

    private static func format(_ value: Float) -> String {
        value == value.rounded() ? String(Int(value)) : String(value)
    }
}
