import STCore

/// LRP-zβ (Montavon et al. 2017) for the first layer, whose input lies in a box [l, h]
/// (seed 002: pixel values, here after normalisation):
///
///     R_i = Σ_j (x_i·w_ij − l_i·w⁺_ij − h_i·w⁻_ij) / Σ_i' (x_i'·w_i'j − l_i'·w⁺_i'j − h_i'·w⁻_i'j) · R_j
///
/// The bounds are per input channel (axis 1), or one pair for all; the bias stays in the first
/// term and so in the denominator, as innvestigate's BoundedRule. (zennit's ZBox clamps the bias
/// in the bound terms too, z = (x·w + b) − (l·w⁺ + b⁺) − (h·w⁻ + b⁻), which cancels it.)
public struct ZBetaRule: LRPRule {
    /// Lower and upper bound per channel (a single value applies to every channel).
    public var low: [Float]
    public var high: [Float]

    public init(low: [Float], high: [Float]) {
        self.low = low
        self.high = high
    }

    public var name: String { "zbeta" }
    public var epsilon: Float { 1e-6 }

    public func groups(input x: Tensor, parameters: [Tensor], roles: [String]) -> [LRPGroup] {
        let positive = LRPTerm.parameters(parameters, roles: roles, weight: .positivePart, bias: nil)
        let negative = LRPTerm.parameters(parameters, roles: roles, weight: .negativePart, bias: nil)
        return [LRPGroup(weight: 1, terms: [
            LRPTerm(input: x, parameters: parameters),
            LRPTerm(input: Self.perChannel(low, like: x), parameters: positive, sign: -1),
            LRPTerm(input: Self.perChannel(high, like: x), parameters: negative, sign: -1),
        ])]
    }

    /// A tensor of x's shape holding `values[c]` along channel c (axis 1).
    static func perChannel(_ values: [Float], like x: Tensor) -> Tensor {
        let channels = x.shape[1]
        let inner = x.shape.dropFirst(2).reduce(1, *)
        let scalars = (0..<x.count).map { index in values.count == 1 ? values[0] : values[(index / inner) % channels] }
        return Tensor(shape: x.shape, scalars: scalars)
    }
}
