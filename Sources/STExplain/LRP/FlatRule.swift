import STCore

/// The flat rule: R_i = Σ_j 1 / Σ_i' 1 · R_j over each output's receptive field — the layer with
/// all weights and inputs set to 1 and no bias.
public struct FlatRule: LRPRule {
    public init() {}
    public var name: String { "flat" }
    public var epsilon: Float { 1e-6 }

    public func groups(input x: Tensor, parameters: [Tensor], roles: [String]) -> [LRPGroup] {
        [LRPGroup(weight: 1, terms: [LRPTerm(input: Tensor(repeating: 1, shape: x.shape),
                                             parameters: LRPTerm.parameters(parameters, roles: roles,
                                                                            weight: WeightTransform(name: "1") { _ in 1 }, bias: nil))])]
    }
}
