import STCore

/// Masking faithfulness (seed 000): mask the positions an explanation ranks most (or least)
/// important, measure the model's accuracy α_m on the masked inputs, and summarise how far the
/// accuracy falls with
///
///     β = Σᵢ mᵢ · |α₀ − α_{mᵢ}| / α₀
///
/// where α₀ is the accuracy on the unmasked inputs and mᵢ the masked fractions (0.1, 0.5, 0.9 by
/// default). Masking the important positions of a faithful explanation drops accuracy early, so β
/// is large; masking the non-important ones should leave it near 0. Seed 000's own numbers,
/// α₀ = 88.3 and α = 88.1, 64.31, 14.82 at 10/50/90 %, give β ≈ 0.885.
public enum MaskingFaithfulness {
    /// The fractions seed 000 masks.
    public static let defaultFractions = [0.1, 0.5, 0.9]

    /// The accuracy measured with a fraction of the positions masked.
    public struct AccuracyPoint: Sendable, Equatable {
        /// Masked fraction m in [0, 1].
        public var fraction: Double
        /// Accuracy α_m, in the same unit as the baseline accuracy (percent or a fraction).
        public var accuracy: Double

        public init(fraction: Double, accuracy: Double) {
            self.fraction = fraction
            self.accuracy = accuracy
        }
    }

    /// β = Σᵢ mᵢ·|α₀ − α_{mᵢ}|/α₀. The accuracies may be percentages or fractions (β is a ratio of
    /// them), but all in one unit. Throws when α₀ is not positive or a fraction is outside [0, 1].
    public static func beta(baselineAccuracy α0: Double, accuracies: [AccuracyPoint]) throws -> Double {
        guard α0 > 0, α0.isFinite else {
            throw STError.invalidRequest("β needs a positive baseline accuracy α₀; got \(α0)")
        }
        return try accuracies.reduce(0) { sum, point in
            guard (0...1).contains(point.fraction) else {
                throw STError.invalidRequest("masked fraction \(point.fraction) is outside [0, 1]")
            }
            return sum + point.fraction * abs(α0 - point.accuracy) / α0
        }
    }

    /// How many of `count` positions a fraction masks: ⌊fraction·count + ½⌋, i.e. rounded to the
    /// nearest integer with halves rounded up (10 % of 25 joints masks 3). Throws when the
    /// fraction is outside [0, 1].
    public static func maskedCount(fraction: Double, of count: Int) throws -> Int {
        guard (0...1).contains(fraction) else {
            throw STError.invalidRequest("masked fraction \(fraction) is outside [0, 1]")
        }
        return Int((fraction * Double(count) + 0.5).rounded(.down))
    }

    /// The indices of `scores` that masking `fraction` of them on `side` removes: the
    /// `maskedCount(fraction:of:)` highest scores (important) or lowest (non-important), the
    /// most extreme first, ties to the lower index. Throws for a fraction outside [0, 1] or NaN scores.
    public static func maskedElements(scores: [Float], fraction: Double, side: MaskingSide) throws -> [Int] {
        let count = try maskedCount(fraction: fraction, of: scores.count)
        return Array(try side.ranking(of: scores).prefix(count))
    }

    /// `input` with the given positions of each sample replaced by `baseline`, over all channels
    /// (and the other axes not in `axes`); see `PositionGrid` for how `axes` and positions work.
    /// - Parameters:
    ///   - input: a batch (N, C, …).
    ///   - elements: per sample, flat indices into its grid (the input's sizes on `axes`).
    ///   - axes: the input axes the positions span, e.g. [2, 3, 4] for voxels of (N, C, T, H, W).
    ///   - baseline: a constant or a tensor of the input's shape.
    /// - Throws: `STError.invalidRequest` when shapes disagree or a position is out of range.
    public static func masked(_ input: Tensor, elements: [[Int]], axes: [Int], baseline: MaskingBaseline) throws -> Tensor {
        try PositionGrid(inputShape: input.shape, axes: axes).replacing(elements, in: input, with: baseline)
    }

    /// `input` with `fraction` of each sample's positions masked on `side` of its map: the
    /// explanation `maps` (N, grid…) scores the positions of the grid over `axes`, e.g. joint maps
    /// (N, V) of skeletons (N, C, T, V, M) with axes [3] mask whole joints over all frames and persons.
    /// - Throws: `STError.invalidRequest` when `maps` is not (N, the input's sizes on `axes`), for
    ///   a fraction outside [0, 1] or NaN scores.
    public static func masked(_ input: Tensor, maps: Tensor, axes: [Int], fraction: Double, side: MaskingSide,
                              baseline: MaskingBaseline) throws -> Tensor {
        let grid = try PositionGrid(inputShape: input.shape, axes: axes)
        let count = try maskedCount(fraction: fraction, of: grid.count)
        let elements = try grid.rankings(of: maps, side: side).map { Array($0.prefix(count)) }
        return try grid.replacing(elements, in: input, with: baseline)
    }
}
