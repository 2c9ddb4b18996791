import STCore

/// One linear contribution to a layer's pre-activation under a rule: the layer evaluated on a
/// modified input with modified parameters, added with `sign`.
public struct LRPTerm: Sendable {
    public var input: Tensor
    /// The layer's parameters in its roles' order (`weight`, then `bias` if it has one).
    public var parameters: [Tensor]
    public var sign: Float

    public init(input: Tensor, parameters: [Tensor], sign: Float = 1) {
        self.input = input
        self.parameters = parameters
        self.sign = sign
    }

    /// A layer's `parameters` (roles `roles`) with `weight` applied to the weight and the bias
    /// replaced by `bias` of it (nil drops it to zero), for a rule's term.
    static func parameters(_ parameters: [Tensor], roles: [String], weight: WeightTransform,
                           bias: WeightTransform?) -> [Tensor] {
        zip(roles, parameters).map { role, value in
            switch role {
            case "weight": value.transformed(by: weight)
            case "bias": value.transformed(by: bias ?? .zero)
            default: value
            }
        }
    }
}

/// Terms whose sum z = Σ_t sign_t·f(x_t; θ_t) shares out the relevance of each output, weighted
/// by `weight` (α and −β for the αβ rule, 1 otherwise):
///
///     R_in = weight · Σ_t sign_t · x_t ⊙ J_tᵀ (R_out / (z + ε·sign(z)))
public struct LRPGroup: Sendable {
    public var weight: Float
    public var terms: [LRPTerm]
}

/// A rule for layers with weights (convolutions, linear layers): it only says how inputs and
/// parameters are modified; `LRP` evaluates the terms and routes relevance back through the
/// layer's own backward pass (zennit's rules are data in the same way).
public protocol LRPRule: Sendable {
    /// Short name for summaries (`epsilon`, `zplus`, `alpha2beta1`, …).
    var name: String { get }
    /// ε of the stabiliser z + ε·sign(z).
    var epsilon: Float { get }
    /// The groups for a layer with input x and parameters θ (roles `roles`).
    func groups(input x: Tensor, parameters: [Tensor], roles: [String]) -> [LRPGroup]
    /// Whether the terms of all groups add up to the layer's own output f(x; θ), so that the last
    /// group's z is the output less the others' (one layer evaluation saved per layer).
    var groupsSumToLayer: Bool { get }
}

extension LRPRule {
    public var groupsSumToLayer: Bool { false }
}
