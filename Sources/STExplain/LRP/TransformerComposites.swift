import STCore

extension LRPLayerMap {
    /// AttnLRP's map (Achtibat et al. 2024): attention is explained, not held fixed — the
    /// softmax rule (`SoftmaxRelevance`) at every softmax and the uniform rule (`UniformProduct`)
    /// at matrix products of two input-dependent operands (Q·Kᵀ, A·V), on top of the standard
    /// map's identity rule for element-wise non-linearities, layer norm at a fixed σ and the
    /// signal-take-all rule for gated element-wise products (SiLU's x ⊙ σ(x)).
    public static let attnLRP = LRPLayerMap.standard
        .prepending(.kinds(MatMul.self), .layer(UniformProduct()))
        .prepending(LRPOpMatch("softmax") { ($0 as? Softmax)?.log == false }, .layer(SoftmaxRelevance()))

    /// The relevance propagation of Chefer, Gur & Wolf (2021) inside a transformer: layer norm,
    /// GELU and softmax pass relevance on unchanged, matrix products of two input-dependent
    /// operands share it uniformly (half each), residual sums share it in proportion, rescaled to
    /// the ratio of the two totals (`NormalisedSum`).
    public static let cheferRelevance = LRPLayerMap.standard
        .prepending(.kinds(Add.self), .layer(NormalisedSum()))
        .prepending(.kinds(MatMul.self), .layer(UniformProduct()))
        .prepending(.kinds(LayerNorm.self), .passThrough)
        .prepending(LRPOpMatch("softmax") { ($0 as? Softmax)?.log == false }, .passThrough)
}

extension LRPComposite {
    /// AttnLRP: the ε rule for every linear layer and convolution over the attention-aware layer
    /// map `LRPLayerMap.attnLRP`, with ε = 10⁻¹⁰ there and in the proportional steps — the ε → 0
    /// limit LXT computes as input × modified gradient (with zennit's 10⁻⁶ the two differ by
    /// 1.6·10⁻³ of the largest relevance on the tiny VideoMAE; with 10⁻¹⁰ by 1.3·10⁻⁶).
    public static let attnLRP: LRPComposite = {
        var composite = LRPComposite(name: "attnlrp", convolution: EpsilonRule(epsilon: 1e-10),
                                     linear: EpsilonRule(epsilon: 1e-10), layers: .attnLRP)
        composite.proportionalEpsilon = 1e-10
        return composite
    }()

    /// Chefer et al.'s relevance for their transformer attribution: z⁺ (α = 1, β = 0, biases left
    /// out, as their code's linear layers) for every linear layer and convolution over
    /// `LRPLayerMap.cheferRelevance`.
    public static let cheferRelevance = LRPComposite(name: "chefer", convolution: ZPlusRule(), linear: ZPlusRule(),
                                                     layers: .cheferRelevance)
}
