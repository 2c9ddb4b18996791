import STCore

/// The layers of a pre-norm transformer block as timm's `VisionTransformer` names them: layer
/// normalisation, multi-head self-attention with a fused q/k/v projection, and the GELU MLP with
/// its residual connection. Linear layers start as timm's do: weights N(0, 0.02²) (its truncation
/// at ±2 is 100 standard deviations away), zero biases; layer norms at weight 1, bias 0.
extension NetworkBuilder {
    /// ε of every layer norm, timm's `partial(nn.LayerNorm, eps=1e-6)`.
    static let layerNormEpsilon: Float = 1e-6

    /// A layer norm `name` over the last axis of width `width`; returns `name`.
    @discardableResult
    mutating func layerNorm(_ name: String, input: String, width: Int) throws -> String {
        try builder.add(name, LayerNorm(axis: -1, epsilon: Self.layerNormEpsilon), inputs: [input],
                        parameters: ["weight": tensor([width], .constant(1)), "bias": tensor([width], .constant(0))])
    }

    /// A linear layer `name` initialised as timm's transformers are (N(0, 0.02²) weight, zero bias).
    @discardableResult
    mutating func transformerLinear(_ name: String, input: String, inFeatures: Int, outFeatures: Int) throws -> String {
        try linear(name, input: input, inFeatures: inFeatures, outFeatures: outFeatures, weight: .normal(std: 0.02),
                   bias: .constant(0))
    }

    /// Multi-head self-attention `name` over `input` (B, S, D), h heads of width d = D/h, as timm's
    /// `Attention` module:
    ///
    ///     q, k, v = qkv(x) split into (B, h, S, d) each       (`name.qkv`: D → 3D, with bias)
    ///     A = softmax((q/√d)·kᵀ)  along the last axis         (`name.softmax`, (B, h, S, S))
    ///     y = proj(merge_heads(A·v))                          (`name.proj`: D → D, with bias)
    ///
    /// Nodes: `name.qkv`, `.qkv.split` (B, S, 3, h, d), `.qkv.heads` (3, B, h, S, d), `.q`, `.k`,
    /// `.v` (B, h, S, d), `.scale` (the constant 1/√d), `.q.scaled`, `.k.transposed`, `.scores`
    /// (B, h, S, S), `.softmax`, `.context` (A·v, the softmax its left operand), `.context.tokens`
    /// (B, S, h, d), `.merge` (B, S, D), `.proj`. Returns `name.proj`.
    mutating func selfAttention(_ name: String, input: String, tokens: Int, width: Int, heads: Int) throws -> String {
        let headWidth = width / heads
        try transformerLinear("\(name).qkv", input: input, inFeatures: width, outFeatures: 3 * width)
        try builder.add("\(name).qkv.split", Reshape([-1, tokens, 3, heads, headWidth]), inputs: ["\(name).qkv"])
        try builder.add("\(name).qkv.heads", Permute([2, 0, 3, 1, 4]), inputs: ["\(name).qkv.split"])
        for (index, part) in ["q", "k", "v"].enumerated() {
            try builder.add("\(name).\(part).slice", Slice(axis: 0, start: index, end: index + 1), inputs: ["\(name).qkv.heads"])
            try builder.add("\(name).\(part)", Reshape([-1, heads, tokens, headWidth]), inputs: ["\(name).\(part).slice"])
        }
        try builder.add("\(name).scale", Constant(Tensor(shape: [1], scalars: [1 / Float(headWidth).squareRoot()])), inputs: [])
        try builder.add("\(name).q.scaled", Multiply(), inputs: ["\(name).q", "\(name).scale"])
        try builder.add("\(name).k.transposed", Permute([0, 1, 3, 2]), inputs: ["\(name).k"])
        try builder.add("\(name).scores", MatMul(), inputs: ["\(name).q.scaled", "\(name).k.transposed"])
        try builder.add("\(name).softmax", Softmax(axis: -1), inputs: ["\(name).scores"])
        try builder.add("\(name).context", MatMul(), inputs: ["\(name).softmax", "\(name).v"])
        try builder.add("\(name).context.tokens", Permute([0, 2, 1, 3]), inputs: ["\(name).context"])
        try builder.add("\(name).merge", Reshape([0, 0, width]), inputs: ["\(name).context.tokens"])
        return try transformerLinear("\(name).proj", input: "\(name).merge", inFeatures: width, outFeatures: width)
    }

    /// The second half of a pre-norm block `name`: y = x + fc2(GELU(fc1(norm2(x)))) with the exact
    /// (erf) GELU, `name.mlp.fc1`: D → `hiddenWidth`, `name.mlp.fc2`: back to D. Nodes `name.norm2`,
    /// `name.mlp.fc1`, `name.mlp.act`, `name.mlp.fc2`, `name.mlp_residual` — the block's output,
    /// which `name` becomes an alias of. Returns `name.mlp_residual`.
    mutating func mlpResidual(_ name: String, input: String, width: Int, hiddenWidth: Int) throws -> String {
        try layerNorm("\(name).norm2", input: input, width: width)
        try transformerLinear("\(name).mlp.fc1", input: "\(name).norm2", inFeatures: width, outFeatures: hiddenWidth)
        try builder.add("\(name).mlp.act", GELU(approximation: .none), inputs: ["\(name).mlp.fc1"])
        try transformerLinear("\(name).mlp.fc2", input: "\(name).mlp.act", inFeatures: hiddenWidth, outFeatures: width)
        try builder.add("\(name).mlp_residual", Add(), inputs: [input, "\(name).mlp.fc2"])
        builder.alias(name, to: "\(name).mlp_residual")
        return "\(name).mlp_residual"
    }
}
