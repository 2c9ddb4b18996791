import STCore

/// A model's attention maps in one forward trace, laid out on the tokens they share, and the
/// token-to-token products methods reading attention build from them: a row vector starting at
/// the class token (or the mean over tokens) carried backwards through one matrix per map,
/// v ← v·M_b for b = B, …, 1 — the starting row of M_B ⋯ M_1 without forming the product.
struct AttentionFlow {
    /// The attention maps rolled out, in graph order: all of the model's, or, for a hierarchical
    /// transformer (MViT, Swin) whose earlier stages attend on finer or pooled grids, windows or
    /// pools, the last stage's — the trailing maps of one shape that lie on the output token grid.
    let nodes: [String]
    let layouts: [AttentionLayout]
    let space: TokenSpace
    let samples: Int

    /// The attention maps `nodes` of `model` kept by `trace` for `samples` samples; errors name
    /// `method` when the model has no token grid, and the last map's node when even it fits
    /// neither joint nor divided attention on the grid. When some maps do not fit the embedding's
    /// grid (a hierarchical model), the grid is the output's — that of the model's default layer
    /// (the last block's output), which `trace` must hold — and the maps read are the trailing
    /// ones of the last map's shape.
    init(model: ExplainedModel, trace: Trace, nodes: [String], samples: Int, method: Method) throws {
        guard let tokens = model.tokenGrid else {
            throw STError.invalidRequest("\(method.rawValue) lays tokens out on the model's token grid, which is unknown; "
                                         + "give --token-grid T,H,W (and --class-tokens K)")
        }
        let shapes = try nodes.map { try trace.activation($0).shape }
        func layouts(on space: TokenSpace) -> [Result<AttentionLayout, any Error>] {
            zip(nodes, shapes).map { node, shape in
                Result { try AttentionLayout(node: node, shape: shape, samples: samples, space: space) }
            }
        }
        var space = TokenSpace(tokens: tokens, shapes: shapes)
        var fitted = layouts(on: space)
        var first = 0
        if fitted.contains(where: { (try? $0.get()) == nil }) {
            if let output = try? Self.outputSpace(of: model, trace: trace, tokens: tokens) {
                space = output
                fitted = layouts(on: space)
            }
            first = nodes.count - 1
            while first > 0, (try? fitted[first - 1].get()) != nil, shapes[first - 1] == shapes[nodes.count - 1] { first -= 1 }
        }
        self.layouts = try fitted[first...].map { try $0.get() }
        self.nodes = Array(nodes[first...])
        self.samples = samples
        self.space = space
    }

    /// The class tokens and grid of the model's default layer in `trace`: a token layer (N, L, D)
    /// as `TokenGrid.layout` reads it, a channels-last or channels-first map by its grid axes.
    private static func outputSpace(of model: ExplainedModel, trace: Trace, tokens: TokenGrid) throws -> TokenSpace {
        let layer = model.defaultLayer
        let activation = try trace.activation(layer)
        if activation.rank == 3 {
            let (classTokens, grid) = try tokens.layout(length: activation.shape[1], layer: layer)
            return TokenSpace(classTokens: classTokens, grid: grid)
        }
        return TokenSpace(classTokens: 0, grid: Array(try tokens.channelsFirst(activation, layer: layer).shape.dropFirst(2)))
    }

    /// The map (N, grid…) of v = start·M_B ⋯ M_1 over the grid tokens — less `start` itself when
    /// `lessIdentity` — where `matrix(b, n, g, heads)` is map b's L × L matrix for sample n, group
    /// g from that group's heads' maps. Accumulated in double precision.
    func rollOut(matrix: (Int, Int, Int, UnsafeBufferPointer<Float>) -> [Float], maps: [Tensor],
                 lessIdentity: Bool = false) -> Tensor {
        let plainMaps = maps.map { $0.plain() }
        let rows = (0..<samples).map { n in
            var v = space.start
            for b in layouts.indices.reversed() {
                let layout = layouts[b]
                v = plainMaps[b].withUnsafeBufferPointer { values in
                    layout.propagate(v) { g in matrix(b, n, g, layout.headMatrices(values, sample: n, group: g)) }
                }
            }
            return lessIdentity ? zip(v, space.start).map { $0 - $1 } : v
        }
        return space.map(rows)
    }
}
