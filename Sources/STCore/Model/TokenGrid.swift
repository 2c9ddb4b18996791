/// How the tokens of a transformer layer map back to space-time (DESIGN §4, "Tokens").
///
/// A token layer's output (N, L, D) holds K class tokens, then one token per cell of a grid
/// (T′, H′, W′) for video or (H′, W′) for images, in row-major order. The grid is the patch
/// (tubelet) embedding's unless the layer pools tokens (MViT's stages): then it is the
/// embedding's with space (and, failing that, time) divided by a common factor.
/// `tokenMap` drops the class tokens and lays the rest out as (N, D, grid…), so CAM methods
/// weigh token channels as they weigh convolution channels; `channelsFirst` does the same for
/// any layer, including Swin's and ConvNeXt's channels-last maps (N, T′, H′, W′, C).
public struct TokenGrid: Sendable, Equatable {
    /// The patch embedding's grid: (T′, H′, W′) for video, (H′, W′) for images.
    public var grid: [Int]
    /// Class (and distillation) tokens before the grid; nil: inferred from the layer's length.
    public var classTokens: Int?
    /// The grid is the user's (`--token-grid`): used as it is, never rescaled.
    public var isExact: Bool

    public init(grid: [Int], classTokens: Int? = nil, isExact: Bool = false) {
        self.grid = grid
        self.classTokens = classTokens
        self.isExact = isExact
    }

    /// Most class tokens inferred (ViT has 1, DeiT 2).
    public static let largestInferredClassTokens = 2

    /// The class-token count and grid of a layer of `length` tokens: the first K (given, or the
    /// smallest of 0…2 that fits) and grid — the embedding's, or one it divides evenly, time kept
    /// where possible — whose cells add up to `length − K`.
    public func layout(length: Int, layer: String) throws -> (classTokens: Int, grid: [Int]) {
        let counts = classTokens.map { [$0] } ?? Array(0...Self.largestInferredClassTokens)
        for k in counts where length - k > 0 {
            if let cells = candidateGrids(cells: length - k).first { return (k, cells) }
        }
        let described = grid.map(String.init).joined(separator: "×")
        throw STError.invalidRequest("layer '\(layer)' has \(length) tokens, which do not make the grid \(described)"
                                     + (classTokens.map { " after \($0) class tokens" } ?? " after 0–\(Self.largestInferredClassTokens) class tokens")
                                     + (isExact ? "" : " or a pooled version of it") + "; give --token-grid and --class-tokens")
    }

    /// Grids of `cells` cells: the embedding's; then space divided by 2, 3, …; then time too.
    private func candidateGrids(cells: Int) -> [[Int]] {
        guard !isExact else { return grid.reduce(1, *) == cells ? [grid] : [] }
        let spatialStart = grid.count - 2
        var grids: [[Int]] = []
        for timeFactor in 1...(spatialStart > 0 ? grid[0] : 1) where spatialStart == 0 || grid[0] % timeFactor == 0 {
            for spaceFactor in 1...max(grid[spatialStart], grid[spatialStart + 1]) {
                var candidate = grid
                if spatialStart > 0 { candidate[0] /= timeFactor }
                candidate[spatialStart] = (grid[spatialStart] + spaceFactor - 1) / spaceFactor
                candidate[spatialStart + 1] = (grid[spatialStart + 1] + spaceFactor - 1) / spaceFactor
                if candidate.reduce(1, *) == cells { grids.append(candidate) }
            }
        }
        return grids
    }

    /// A layer's activation (or gradient) laid out channels first: token layers (N, L, D) through
    /// `tokenMap`; a map of the input's rank whose axes 1…r−2 form the (pooled) grid while axes
    /// 2… do not is channels-last (Swin, ConvNeXt's blocks) and is permuted to (N, C, grid…);
    /// anything else is returned as it is.
    public func channelsFirst(_ x: Tensor, layer: String) throws -> Tensor {
        if x.rank == 3 { return try tokenMap(x, layer: layer) }
        guard x.rank == grid.count + 2 else { return x }
        let leading = Array(x.shape[1..<(x.rank - 1)]), trailing = Array(x.shape[2...])
        guard isGrid(leading), !isGrid(trailing) else { return x }
        return try Self.run(Permute([0, x.rank - 1] + Array(1..<(x.rank - 1))), x)
    }

    /// Whether `sizes` is the embedding's grid or a pooled version of it.
    func isGrid(_ sizes: [Int]) -> Bool {
        sizes.count == grid.count && candidateGrids(cells: sizes.reduce(1, *)).contains(sizes)
    }

    /// `tokens` (N, L, D) without its class tokens, as (N, D, grid…).
    public func tokenMap(_ tokens: Tensor, layer: String) throws -> Tensor {
        guard tokens.rank == 3 else {
            throw STError.invalidRequest("layer '\(layer)' of shape \(tokens.shape) is not a token layer (N, L, D)")
        }
        let (samples, channels) = (tokens.shape[0], tokens.shape[2])
        let (skipped, cells) = try layout(length: tokens.shape[1], layer: layer)
        let gridTokens = skipped > 0 ? try Self.run(Slice(axis: 1, start: skipped), tokens) : tokens
        return try Self.run(Permute([0, 2, 1]), gridTokens).reshaped([samples, channels] + cells)
    }

    /// The engine op's forward pass on one tensor (plain output for Slice and Permute).
    private static func run(_ op: any Op, _ x: Tensor) throws -> Tensor {
        var context = ForwardContext()
        return try op.forward([x], parameters: [], context: &context).value
    }
}
