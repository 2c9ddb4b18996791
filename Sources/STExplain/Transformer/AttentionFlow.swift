import STCore

/// A model's attention maps in one forward trace, laid out on the tokens they share, and the
/// token-to-token products methods reading attention build from them: a row vector starting at
/// the class token (or the mean over tokens) carried backwards through one matrix per map,
/// v ← v·M_b for b = B, …, 1 — the starting row of M_B ⋯ M_1 without forming the product.
struct AttentionFlow {
    let layouts: [AttentionLayout]
    let space: TokenSpace
    let samples: Int

    /// The attention maps of `model` kept by `trace` for `samples` samples; errors name `method` when the model has no
    /// attention maps or no token grid, and the node when a map fits neither joint nor divided
    /// attention.
    init(model: ExplainedModel, trace: Trace, nodes: [String], samples: Int, method: Method) throws {
        guard let tokens = model.tokenGrid else {
            throw STError.invalidRequest("\(method.rawValue) lays tokens out on the model's token grid, which is unknown; "
                                         + "give --token-grid T,H,W (and --class-tokens K)")
        }
        let shapes = try nodes.map { try trace.activation($0).shape }
        let space = TokenSpace(tokens: tokens, shapes: shapes)
        layouts = try zip(nodes, shapes).map { try AttentionLayout(node: $0, shape: $1, samples: samples, space: space) }
        self.samples = samples
        self.space = space
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
