import STCore

/// The rules of a whole network, as zennit's composites: a layer map from op kind to relevance
/// behaviour (`LRPLayerMap`) whose layers with weights — convolutions and linear layers — get
/// the composite's rules, a rule of its own for the first layer (the one reading the network
/// input), and rules for particular nodes by name.
public struct LRPComposite: Sendable {
    /// The name `--composite` takes and summaries show.
    public let name: String
    /// The rule of convolutions (after the first layer).
    public let convolution: any LRPRule
    /// The rule of linear layers (after the first layer).
    public let linear: any LRPRule
    /// The rule of the first layer with weights (the one reading the network input), if it differs.
    public let first: (any LRPRule)?
    /// Rules for particular layers with weights by node name, ahead of everything else
    /// (user-defined maps).
    public var nodes: [String: any LRPRule]
    /// What every kind of layer does with relevance; convolutions and linear layers first.
    public var layerMap: LRPLayerMap
    /// ε of the proportional steps (sums, products, layer norms): 10⁻⁶ as zennit's.
    public var proportionalEpsilon: Float = 1e-6

    /// A composite from its rules over `layers` (`LRPLayerMap.standard` by default); `nodes`
    /// overrides them for particular node names.
    public init(name: String, convolution: any LRPRule, linear: any LRPRule, first: (any LRPRule)? = nil,
                nodes: [String: any LRPRule] = [:], layers: LRPLayerMap = .standard) {
        self.name = name
        self.convolution = convolution
        self.linear = linear
        self.first = first
        self.nodes = nodes
        layerMap = layers.prepending(.kinds(Linear.self), .weighted(linear)).prepending(.kinds(Convolution.self),
                                                                                      .weighted(convolution))
    }

    /// The same composite with average pooling sharing relevance uniformly, R_k = R_j / N_j
    /// (seed 002's variant), instead of in proportion to the inputs.
    public func averagingUniformly() -> LRPComposite {
        var composite = self
        composite.layerMap = layerMap.prepending(.averagePooling, .routed)
        return composite
    }

    /// What LRP does at `node`; `isFirst` for the node reading the network input.
    func behaviour(for node: Node, isFirst: Bool) -> LRPBehaviour {
        let behaviour = layerMap.behaviour(for: node.op)
        guard case .weighted = behaviour else { return behaviour }
        if let rule = nodes[node.name] { return .weighted(rule) }
        if isFirst, let first { return .weighted(first) }
        return behaviour
    }
}

extension LRPComposite {
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
}
