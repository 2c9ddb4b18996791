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
    /// operands share it uniformly (half each), sums share it in proportion.
    public static let cheferRelevance = LRPLayerMap.standard
        .prepending(.kinds(MatMul.self), .layer(UniformProduct()))
        .prepending(.kinds(LayerNorm.self), .passThrough)
        .prepending(LRPOpMatch("softmax") { ($0 as? Softmax)?.log == false }, .passThrough)
}

extension LRPComposite {
    /// AttnLRP: the ε rule (ε = 10⁻⁶) for every linear layer and convolution over the attention-aware
    /// layer map `LRPLayerMap.attnLRP`.
    public static let attnLRP = LRPComposite(name: "attnlrp", convolution: EpsilonRule(), linear: EpsilonRule(),
                                             layers: .attnLRP)

    /// Chefer et al.'s relevance for their transformer attribution: z⁺ (α = 1, β = 0, biases left
    /// out, as their code's linear layers) for every linear layer and convolution over
    /// `LRPLayerMap.cheferRelevance`.
    public static let cheferRelevance = LRPComposite(name: "chefer", convolution: ZPlusRule(), linear: ZPlusRule(),
                                                     layers: .cheferRelevance)
}
