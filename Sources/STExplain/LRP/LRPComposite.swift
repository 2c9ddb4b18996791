import STCore

/// Which rule each layer with weights gets (zennit's composites map layer types to rules):
/// convolutions and linear layers here; every other layer is handled by `LRP` itself (ReLU,
/// dropout and reshapes pass relevance on; pooling, sums, means, batch norm and graph
/// aggregation share it in proportion to their inputs' contributions).
public struct LRPComposite: Sendable {
    /// The name `--composite` takes and summaries show.
    public let name: String
    /// The rule of convolutions (after the first layer).
    public let convolution: any LRPRule
    /// The rule of linear layers (after the first layer).
    public let linear: any LRPRule
    /// The rule of the first layer with weights (the one reading the network input), if it differs.
    public let first: (any LRPRule)?
    /// Rules for particular layers by node name, ahead of everything else (user-defined maps).
    public var nodes: [String: any LRPRule]

    /// A composite from its rules; `nodes` overrides them for particular node names.
    public init(name: String, convolution: any LRPRule, linear: any LRPRule, first: (any LRPRule)? = nil,
                nodes: [String: any LRPRule] = [:]) {
        self.name = name
        self.convolution = convolution
        self.linear = linear
        self.first = first
        self.nodes = nodes
    }

    /// Seed 002's deep Taylor decomposition (innvestigate's DeepTaylor): zβ with the input box
    /// [low, high] per channel for the first layer, z⁺ (α = 1, β = 0, biases left out) for every
    /// other convolution and linear layer.
    public static func deepTaylor(low: [Float], high: [Float]) -> LRPComposite {
        LRPComposite(name: "deep-taylor", convolution: ZPlusRule(), linear: ZPlusRule(),
                     first: ZBetaRule(low: low, high: high))
    }

    /// zennit's EpsilonPlus: zennit's z⁺ (b⁺ in the denominator) for every convolution, ε = 10⁻⁶
    /// for linear layers.
    public static let epsilonPlus = LRPComposite(name: "epsilon-plus", convolution: ZPlusRule(includesBias: true),
                                                 linear: EpsilonRule())
    /// zennit's EpsilonAlpha2Beta1: α2β1 for every convolution, ε = 10⁻⁶ for linear layers.
    public static let epsilonAlpha2Beta1 = LRPComposite(name: "epsilon-alpha2-beta1",
                                                         convolution: AlphaBetaRule(alpha: 2, beta: 1),
                                                         linear: EpsilonRule())

    /// zennit's EpsilonGammaBox: zβ with the box [low, high] on the first layer, γ = 0.25 for the
    /// other convolutions, ε = 10⁻⁶ for linear layers.
    public static func epsilonGammaBox(low: [Float], high: [Float]) -> LRPComposite {
        LRPComposite(name: "epsilon-gamma-box", convolution: GammaRule(gamma: 0.25), linear: EpsilonRule(),
                     first: ZBetaRule(low: low, high: high))
    }

    /// One rule for every layer with weights.
    public static func uniform(_ rule: any LRPRule) -> LRPComposite {
        LRPComposite(name: rule.name, convolution: rule, linear: rule)
    }

    /// The composites and single rules by the names `--composite` takes.
    public static let names = ["epsilon-plus", "epsilon-alpha2-beta1", "deep-taylor", "epsilon-gamma-box", "epsilon",
                               "zplus", "alpha1beta0", "alpha2beta1", "gamma", "flat", "wsquare"]

    /// The composite called `name`; `deep-taylor` and `epsilon-gamma-box` need the input box
    /// `bounds` (per channel), which is evaluated only for them.
    public static func named(_ name: String,
                             bounds: @autoclosure () throws -> (low: [Float], high: [Float])? = nil) throws -> LRPComposite {
        switch name {
        case "deep-taylor":
            guard let bounds = try bounds() else { throw STError.invalidRequest("the deep-taylor composite needs the input's bounds") }
            return .deepTaylor(low: bounds.low, high: bounds.high)
        case "epsilon-gamma-box":
            guard let bounds = try bounds() else {
                throw STError.invalidRequest("the epsilon-gamma-box composite needs the input's bounds")
            }
            return .epsilonGammaBox(low: bounds.low, high: bounds.high)
        case "gamma": return .uniform(GammaRule())
        case "epsilon-plus": return .epsilonPlus
        case "epsilon-alpha2-beta1": return .epsilonAlpha2Beta1
        case "epsilon": return .uniform(EpsilonRule())
        case "zplus": return .uniform(ZPlusRule())
        case "alpha1beta0": return .uniform(AlphaBetaRule(alpha: 1, beta: 0))
        case "alpha2beta1": return .uniform(AlphaBetaRule(alpha: 2, beta: 1))
        case "flat": return .uniform(FlatRule())
        case "wsquare": return .uniform(WSquareRule())
        default:
            throw STError.invalidRequest("unknown composite '\(name)'; composites: " + names.joined(separator: ", "))
        }
    }

    /// The rule for a node, if it is a layer with weights; `isFirst` for the one reading the input.
    func rule(for node: Node, isFirst: Bool) -> (any LRPRule)? {
        let op = node.op
        guard op is Convolution || op is Linear else { return nil }
        if let rule = nodes[node.name] { return rule }
        if isFirst, let first { return first }
        if op is Convolution { return convolution }
        if op is Linear { return linear }
        return nil
    }
}
