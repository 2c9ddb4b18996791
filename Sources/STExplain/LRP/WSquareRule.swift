import STCore

/// The w² rule (Montavon et al. 2017): R_i = Σ_j w²_ij / Σ_i' w²_i'j · R_j — the layer with squared
/// weights on an input of ones, no bias.
public struct WSquareRule: LRPRule {
    public init() {}
    public var name: String { "wsquare" }
    public var epsilon: Float { 1e-6 }

    public func groups(input x: Tensor, parameters: [Tensor], roles: [String]) -> [LRPGroup] {
        [LRPGroup(weight: 1, terms: [LRPTerm(input: Tensor(repeating: 1, shape: x.shape),
                                             parameters: LRPTerm.parameters(parameters, roles: roles,
                                                                            weight: WeightTransform(name: "w²") { $0 * $0 }, bias: nil))])]
    }
}
