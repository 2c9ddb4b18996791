import STCore

/// How the rows and columns of one attention map are tokens of the model, in a token order all
/// of its maps share: K class tokens, then the cells of the token grid row-major ((t, h, w) for
/// video, (h, w) for images).
///
/// - Joint attention (ViT, ViViT, VideoMAE): maps (N, heads, L, L) — or (N·heads, L, L) — over
///   all L = K + T′·H′·W′ tokens, one group per sample.
/// - Divided space-time attention (TimeSformer): temporal maps (N·P, heads, T′, T′) among the
///   frames of each of the P = H′·W′ positions, grouped (sample, position), the class tokens not
///   taking part; spatial maps (N·T′, heads, K + P, K + P) among the positions of each frame,
///   grouped (sample, frame), with the class tokens copied into every frame.
struct AttentionLayout {
    /// The token order's index of each local position of each group (one sample's groups).
    let groups: [[Int]]
    /// Attention heads per group.
    let heads: Int
    /// Tokens per group (the map's last two axes).
    let length: Int
    /// How many groups each token belongs to (0: the map leaves it alone).
    let membership: [Int]

    /// The layout of `node`'s map of `shape` for `samples` samples over `space`, or an error
    /// naming the node, its shape and the grid when it maps onto neither kind of attention.
    init(node: String, shape: [Int], samples: Int, space: TokenSpace) throws {
        let length = shape.last ?? 0
        let rows = shape.dropLast(2).reduce(1, *)
        let (k, frames, positions) = (space.classTokens, space.frames, space.positions)
        let grid = (0..<frames).map { t in (0..<positions).map { p in k + t * positions + p } }
        let square = shape.count >= 3 && shape[shape.count - 2] == length
        let kind: (groups: [[Int]], perSample: Int)?
        if square, length == space.count {
            kind = ([Array(0..<length)], 1)
        } else if square, frames > 1, length == frames {
            kind = ((0..<positions).map { p in grid.map { $0[p] } }, positions)
        } else if square, frames > 1, length == k + positions {
            kind = (grid.map { Array(0..<k) + $0 }, frames)
        } else {
            kind = nil
        }
        guard let kind, rows % (samples * kind.perSample) == 0 else {
            throw STError.invalidRequest("attention '\(node)' of shape \(shape) does not map onto the token grid "
                                         + "\(space.description): joint and divided space-time attention on the output grid are "
                                         + "read (of a hierarchical model, the last stage's maps)")
        }
        groups = kind.groups
        heads = rows / (samples * kind.perSample)
        self.length = length
        var membership = [Int](repeating: 0, count: space.count)
        for group in kind.groups { for token in group { membership[token] += 1 } }
        self.membership = membership
    }

    /// v ← v·M for one sample's token row vector `v`: group g's L × L matrix `matrix(g)` mixes the
    /// relevance of its tokens; a token in several groups (class tokens copied into every frame)
    /// spreads its row over them equally, as the model averages those copies; a token in no
    /// group keeps its value (the identity).
    func propagate(_ v: [Double], matrix: (Int) -> [Float]) -> [Double] {
        var next = zip(v, membership).map { $1 == 0 ? $0 : 0 }
        for (g, tokens) in groups.enumerated() {
            let x = tokens.map { v[$0] / Double(membership[$0]) }
            guard x.contains(where: { $0 != 0 }) else { continue }
            let y = Self.rowTimesMatrix(x, matrix(g), length: length)
            for (j, to) in tokens.enumerated() { next[to] += y[j] }
        }
        return next
    }

    /// x·M for a row `x` of `length` and an L × L matrix `m`, accumulated in double precision.
    private static func rowTimesMatrix(_ x: [Double], _ m: [Float], length: Int) -> [Double] {
        var y = [Double](repeating: 0, count: length)
        m.withUnsafeBufferPointer { m in
            y.withUnsafeMutableBufferPointer { y in
                for (i, weight) in x.enumerated() where weight != 0 {
                    let row = m.baseAddress! + i * length
                    for j in 0..<length { y[j] += weight * Double(row[j]) }
                }
            }
        }
        return y
    }

    /// The heads' maps of sample `n`, group `g`: `heads` matrices of L × L in `values`, the
    /// flattened map (rows grouped sample-major, then group, then head).
    func headMatrices(_ values: UnsafeBufferPointer<Float>, sample n: Int, group g: Int) -> UnsafeBufferPointer<Float> {
        let size = length * length * heads
        let start = (n * groups.count + g) * size
        return UnsafeBufferPointer(rebasing: values[start..<(start + size)])
    }
}

/// The tokens all attention maps of a model share: K class tokens, then the grid cells.
struct TokenSpace: CustomStringConvertible {
    let classTokens: Int
    /// The token grid: (T′, H′, W′) for video, (H′, W′) for images.
    let grid: [Int]

    var frames: Int { grid.count == 3 ? grid[0] : 1 }
    var positions: Int { grid.suffix(2).reduce(1, *) }
    var count: Int { classTokens + frames * positions }
    var description: String {
        grid.map(String.init).joined(separator: "×") + " with \(classTokens) class token" + (classTokens == 1 ? "" : "s")
    }

    init(classTokens: Int, grid: [Int]) {
        self.classTokens = classTokens
        self.grid = grid
    }

    /// The token space of a model with `tokens` grid read off maps of `shapes`: the class-token
    /// count is the model's (`tokens.classTokens`), or what a joint or spatial map's queries hold
    /// beyond the grid (0–2).
    init(tokens: TokenGrid, shapes: [[Int]]) {
        grid = tokens.grid
        let (frames, positions) = (grid.count == 3 ? grid[0] : 1, grid.suffix(2).reduce(1, *))
        let extra = shapes.compactMap { shape -> Int? in
            guard shape.count >= 2 else { return nil }
            let length = shape[shape.count - 2]
            for base in [frames * positions, frames > 1 ? positions : nil].compactMap({ $0 }) {
                let k = length - base
                if (0...TokenGrid.largestInferredClassTokens).contains(k) { return k }
            }
            return nil
        }
        classTokens = tokens.classTokens ?? extra.max() ?? 0
    }

    /// The row vector rollouts start from: the class token's row (the first class token), or
    /// the mean over the grid tokens for models without one (mean pooling).
    var start: [Double] {
        var v = [Double](repeating: 0, count: count)
        if classTokens > 0 {
            v[0] = 1
        } else {
            for token in 0..<count { v[token] = 1 / Double(count) }
        }
        return v
    }

    /// Each sample's vector over the grid tokens, as a map (N, grid…).
    func map(_ rows: [[Double]]) -> Tensor {
        Tensor(shape: [rows.count] + grid, scalars: rows.flatMap { $0.dropFirst(classTokens).map(Float.init) })
    }
}
