import STCore

/// A ViViT / TimeSformer-style video transformer: a tubelet embedding, a class token, learned
/// position embeddings and pre-norm blocks of multi-head self-attention and GELU MLPs, with
/// either joint space–time attention (ViViT's model 1, Arnab et al. 2021) or divided attention
/// (TimeSformer, Bertasius et al. 2021: per block, time first, then space).
///
/// Input `N × C × T × H × W`, tubelet t × p × q dividing T × H × W into the token grid
/// (T′, H′, W′) = (T/t, H/p, W/q) of L = T′H′W′ cells. As the PyTorch module (timm's and
/// facebookresearch/TimeSformer's names; scripts/peers/video_transformer.py is that module):
///
///     x = patch_embed.proj(input)                    Conv3d C → D, kernel = stride = tubelet
///     x = x.flatten(2).transpose(1, 2)               (N, L, D), tokens in (t, h, w) row-major order
///     x = cat(cls_token.expand(N, -1, -1), x) + pos_embed      (N, 1 + L, D)
///     joint:    x = x + attn(norm1(x));  x = x + mlp(norm2(x))                   for each block
///     divided:  see `dividedBlock`; then x = x + mlp(norm2(x))
///     logits = head(norm(x)[:, 0])
///
/// with `attn` multi-head self-attention softmax((q/√d)·kᵀ)·v (`NetworkBuilder.selfAttention`),
/// `mlp` = fc2(GELU(fc1(·))) of hidden width 4D, layer norms with ε = 10⁻⁶. State keys:
/// `patch_embed.proj.weight` (D, C, t, p, q), `patch_embed.proj.bias`, `cls_token` (1, 1, D),
/// `pos_embed` (1, 1 + L, D), `blocks.i.norm1.weight`, `blocks.i.attn.qkv.weight` (3D, D),
/// `blocks.i.attn.proj.weight`, `blocks.i.norm2.weight`, `blocks.i.mlp.fc1.weight` (4D, D),
/// `blocks.i.mlp.fc2.weight`, divided only `blocks.i.temporal_norm1.weight`,
/// `blocks.i.temporal_attn.qkv.weight`, `blocks.i.temporal_attn.proj.weight`,
/// `blocks.i.temporal_fc.weight` (each with its bias), then `norm.weight`, `norm.bias`,
/// `head.weight` (classes, D), `head.bias`.
///
/// Nodes: `patch_embed.proj`, `patch_embed` (N, L, D), `cls_token` (N, 1 + L, D), `pos_embed` (the
/// parameter), `pos_embed.add`, per block `blocks.i.…` (an alias `blocks.i` of its output tokens),
/// `norm`, `norm.cls`, `pre_logits` (N, D), `head`. Attention maps are the `…attn.softmax` nodes
/// (`attentionNodes`), each the left operand of the `MatMul` `…attn.context`.
///
/// Default explanation layer: the last block's input (`blocks.{depth − 2}`; with one block the
/// embedded tokens `pos_embed.add`), as for imported class-token transformers: only the class
/// token reaches the head, so the last block's own output tokens get no gradient.
public struct VideoTransformer: Architecture {
    /// How tokens attend to each other in a block.
    public enum Attention: String, Sendable, CaseIterable {
        /// All 1 + L tokens attend to each other (ViViT's model 1).
        case joint
        /// TimeSformer's divided space–time attention: among the T′ tokens of each position, then
        /// among the class token and the H′W′ tokens of each frame.
        case divided
    }

    /// ViT-Base's width, depth and heads: the published size (`widthMultiplier` 1 in `ModelSpec`).
    public static let publishedWidth = 768, publishedDepth = 12, publishedHeads = 12
    /// ViViT's tubelet, 2 frames × 16 × 16 pixels.
    public static let publishedTubelet = [2, 16, 16]

    public var classes: Int
    /// Token width D.
    public var width: Int
    /// Number of blocks.
    public var depth: Int
    /// Attention heads h (D/h wide each).
    public var heads: Int
    /// Frames × height × width of one token's tubelet.
    public var tubelet: [Int]
    public var attention: Attention
    public var inputShape: [Int]
    /// Hidden width of the MLPs as a multiple of D.
    public var mlpRatio = 4

    public init(classes: Int, width: Int = publishedWidth, depth: Int = publishedDepth, heads: Int = publishedHeads,
                tubelet: [Int] = publishedTubelet, attention: Attention = .joint,
                inputShape: [Int] = [1, 3, 16, 224, 224]) {
        self.classes = classes
        self.width = width
        self.depth = depth
        self.heads = heads
        self.tubelet = tubelet
        self.attention = attention
        self.inputShape = inputShape
    }

    public var name: String { "video_transformer" }

    /// The token grid (T′, H′, W′): the input's frames, height and width over the tubelet's.
    public var grid: [Int] {
        zip(inputShape.dropFirst(2), tubelet).map { $0 / $1 }
    }

    public var defaultLayer: String { depth >= 2 ? "blocks.\(depth - 2)" : "pos_embed.add" }

    /// The softmax nodes holding attention maps, block by block: `blocks.i.attn.softmax`
    /// ((N, h, 1 + L, 1 + L) joint; (N·T′, h, 1 + H′W′, 1 + H′W′) divided, grouped (sample,
    /// frame)), each preceded in divided blocks by `blocks.i.temporal_attn.softmax`
    /// ((N·H′W′, h, T′, T′), grouped (sample, position)).
    public var attentionNodes: [String] {
        (0..<depth).flatMap { block in
            (attention == .divided ? ["blocks.\(block).temporal_attn.softmax"] : []) + ["blocks.\(block).attn.softmax"]
        }
    }

    /// Clips, classified; token layers map back to the (T′, H′, W′) grid after one class token.
    public var modelDescription: ModelDescription {
        ModelDescription(inputKind: .video, defaultLayer: defaultLayer, task: .classification(classes: classes),
                         tokenGrid: TokenGrid(grid: grid, classTokens: 1))
    }

    /// The graph with timm's initialisation (PyTorch's default U(±1/√fan-in) for the tubelet
    /// convolution; N(0, 0.02²) for the class token and linear weights; zero biases; unit layer
    /// norms), reproducible from `seed`, except that the position embeddings start from the
    /// grid's sine–cosine codes (`SinusoidalPositions`, the class token's row 0) rather than
    /// N(0, 0.02²), so that tokens tell where (and so which way) things move from the first step. Throws `STError.invalidRequest` for an
    /// input that is not `N × C × T × H × W` or not divisible by the tubelet, a width not divisible
    /// by the heads, or a size below 1.
    public func graph(seed: UInt64 = 0) throws -> Graph {
        try graph(initialization: .seeded(seed))
    }

    /// The graph with zero weights for a checkpoint to fill.
    public func unfilledGraph() throws -> Graph {
        try graph(initialization: .zeros)
    }

    func graph(initialization: NetworkBuilder.Initialization) throws -> Graph {
        let divides = inputShape.count == 5 && tubelet.count == 3 && tubelet.allSatisfy { $0 >= 1 }
            && zip(inputShape.dropFirst(2), tubelet).allSatisfy { $0 >= $1 && $0 % $1 == 0 }
        guard divides, classes >= 1, depth >= 1, heads >= 1, width >= heads, width % heads == 0, mlpRatio >= 1 else {
            throw STError.invalidRequest("\(name) needs an N×C×T×H×W input that the tubelet divides, classes and depth ≥ 1, "
                                         + "and a width divisible by the heads; got input \(inputShape), tubelet \(tubelet), "
                                         + "classes \(classes), depth \(depth), width \(width), heads \(heads)")
        }
        let cells = grid.reduce(1, *)
        var network = NetworkBuilder(input: "input", shape: inputShape, initialization: initialization)
        let embedShape = [width, inputShape[1]] + tubelet
        try network.convolution("patch_embed.proj", input: "input", inChannels: inputShape[1], outChannels: width,
                                kernel: tubelet, stride: tubelet, padding: [0, 0, 0],
                                weight: .pytorchDefault(weightShape: embedShape), bias: .pytorchDefault(weightShape: embedShape))
        try network.builder.add("patch_embed.flatten", Reshape([0, width, cells]), inputs: ["patch_embed.proj"])
        try network.builder.add("patch_embed", Permute([0, 2, 1]), inputs: ["patch_embed.flatten"])
        try network.builder.add("cls_token", PrependTokens(), inputs: ["patch_embed"],
                                parameters: ["tokens": network.tensor([1, 1, width], .normal(std: 0.02))],
                                parameterKeys: ["cls_token"])
        try network.builder.add("pos_embed", ParameterValue(), inputs: [],
                                parameters: ["value": SinusoidalPositions.codes(grid: grid, width: width, leadingRows: 1)],
                                parameterKeys: ["pos_embed"])
        var tokens = try network.builder.add("pos_embed.add", Add(), inputs: ["cls_token", "pos_embed"])
        for block in 0..<depth {
            let name = "blocks.\(block)"
            let mixed: String
            switch attention {
            case .joint: mixed = try network.jointAttention(name, input: tokens, tokens: 1 + cells, width: width, heads: heads)
            case .divided: mixed = try network.dividedAttention(name, input: tokens, grid: grid, width: width, heads: heads)
            }
            tokens = try network.mlpResidual(name, input: mixed, width: width, hiddenWidth: mlpRatio * width)
        }
        try network.layerNorm("norm", input: tokens, width: width)
        try network.builder.add("norm.cls", Slice(axis: 1, start: 0, end: 1), inputs: ["norm"])
        try network.builder.add("pre_logits", Reshape([0, width]), inputs: ["norm.cls"])
        try network.transformerLinear("head", input: "pre_logits", inFeatures: width, outFeatures: classes)
        return try network.builder.build(output: "head")
    }
}

extension NetworkBuilder {
    /// The first half of a joint block `name`: x + attn(norm1(x)) over all tokens (B, S, D).
    /// Nodes `name.norm1`, `name.attn.…`, `name.attn_residual` (returned).
    fileprivate mutating func jointAttention(_ name: String, input: String, tokens: Int, width: Int,
                                             heads: Int) throws -> String {
        try layerNorm("\(name).norm1", input: input, width: width)
        let attended = try selfAttention("\(name).attn", input: "\(name).norm1", tokens: tokens, width: width, heads: heads)
        return try builder.add("\(name).attn_residual", Add(), inputs: [input, attended])
    }

    /// The attention half of a divided block `name` (TimeSformer's) on x = (class token c,
    /// patch tokens p) of shape (N, 1 + T′P, D), P = H′W′, the patches in (t, position) order:
    ///
    ///     temporal: per sample and position, the T′ tokens (N·P, T′, D) attend to each other:
    ///               p′ = p + temporal_fc(temporal_attn(temporal_norm1(p)))
    ///     spatial:  per sample and frame, c and the frame's P tokens (N·T′, 1 + P, D):
    ///               (c_t, s_t) = attn(norm1(cat(c, p′_t)))   (c copied into every frame)
    ///     output:   cat(c, p′) + cat(mean_t c_t, s)
    ///
    /// Nodes: `name.patches`, `.temporal.grid`, `.temporal.positions`, `.temporal.sequences`,
    /// `.temporal_norm1`, `.temporal_attn.…`, `.temporal_attn.grid`, `.temporal_attn.frames`,
    /// `.temporal_attn.tokens`, `.temporal_fc`, `.temporal_residual` (p′), `.cls`, `.cls.frames`,
    /// `.cls.per_frame`, `.spatial.frames`, `.spatial.sequences`, `.norm1`, `.attn.…`,
    /// `.attn.cls`, `.attn.cls.frames`, `.attn.cls.mean`, `.attn.patches`, `.attn.patches.tokens`,
    /// `.attn.tokens`, `.spatial.input`, `.attn_residual` (returned).
    fileprivate mutating func dividedAttention(_ name: String, input: String, grid: [Int], width: Int,
                                               heads: Int) throws -> String {
        let frames = grid[0], positions = grid[1] * grid[2]
        try builder.add("\(name).patches", Slice(axis: 1, start: 1), inputs: [input])
        try builder.add("\(name).temporal.grid", Reshape([-1, frames, positions, width]), inputs: ["\(name).patches"])
        try builder.add("\(name).temporal.positions", Permute([0, 2, 1, 3]), inputs: ["\(name).temporal.grid"])
        try builder.add("\(name).temporal.sequences", Reshape([-1, frames, width]), inputs: ["\(name).temporal.positions"])
        try layerNorm("\(name).temporal_norm1", input: "\(name).temporal.sequences", width: width)
        let temporal = try selfAttention("\(name).temporal_attn", input: "\(name).temporal_norm1", tokens: frames,
                                         width: width, heads: heads)
        try builder.add("\(name).temporal_attn.grid", Reshape([-1, positions, frames, width]), inputs: [temporal])
        try builder.add("\(name).temporal_attn.frames", Permute([0, 2, 1, 3]), inputs: ["\(name).temporal_attn.grid"])
        try builder.add("\(name).temporal_attn.tokens", Reshape([-1, frames * positions, width]),
                        inputs: ["\(name).temporal_attn.frames"])
        try transformerLinear("\(name).temporal_fc", input: "\(name).temporal_attn.tokens", inFeatures: width, outFeatures: width)
        try builder.add("\(name).temporal_residual", Add(), inputs: ["\(name).patches", "\(name).temporal_fc"])

        try builder.add("\(name).cls", Slice(axis: 1, start: 0, end: 1), inputs: [input])
        try builder.add("\(name).cls.frames", Concat(axis: 1), inputs: Array(repeating: "\(name).cls", count: frames))
        try builder.add("\(name).cls.per_frame", Reshape([-1, 1, width]), inputs: ["\(name).cls.frames"])
        try builder.add("\(name).spatial.frames", Reshape([-1, positions, width]), inputs: ["\(name).temporal_residual"])
        try builder.add("\(name).spatial.sequences", Concat(axis: 1), inputs: ["\(name).cls.per_frame", "\(name).spatial.frames"])
        try layerNorm("\(name).norm1", input: "\(name).spatial.sequences", width: width)
        let spatial = try selfAttention("\(name).attn", input: "\(name).norm1", tokens: 1 + positions, width: width, heads: heads)
        try builder.add("\(name).attn.cls", Slice(axis: 1, start: 0, end: 1), inputs: [spatial])
        try builder.add("\(name).attn.cls.frames", Reshape([-1, frames, width]), inputs: ["\(name).attn.cls"])
        try builder.add("\(name).attn.cls.mean", Mean(axes: [1], keepDims: true), inputs: ["\(name).attn.cls.frames"])
        try builder.add("\(name).attn.patches", Slice(axis: 1, start: 1), inputs: [spatial])
        try builder.add("\(name).attn.patches.tokens", Reshape([-1, frames * positions, width]), inputs: ["\(name).attn.patches"])
        try builder.add("\(name).attn.tokens", Concat(axis: 1), inputs: ["\(name).attn.cls.mean", "\(name).attn.patches.tokens"])
        try builder.add("\(name).spatial.input", Concat(axis: 1), inputs: ["\(name).cls", "\(name).temporal_residual"])
        return try builder.add("\(name).attn_residual", Add(), inputs: ["\(name).spatial.input", "\(name).attn.tokens"])
    }
}
