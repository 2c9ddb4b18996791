import STCore

/// Deletion and insertion curves (Petsiuk et al. 2018, "RISE", §4.1).
///
/// Positions are taken in the explanation's order, most important first, in `steps` K equal
/// stages. Deletion starts from the input and replaces the first positions by the baseline;
/// insertion starts from the baseline and puts the first positions back. After step k,
/// c_k = ⌊k·P/K + ½⌋ of a sample's P positions are changed (halves rounded up, as
/// `MaskingFaithfulness.maskedCount`), so step 0 is the unchanged start and step K has every
/// position changed. Scoring the model on each step's input gives a curve s₀ … s_K whose area
/// (`areaUnderCurve`) is low for a good explanation under deletion and high under insertion.
public struct DeletionInsertion: Sendable {
    public enum Mode: String, Sendable, CaseIterable {
        case deletion
        case insertion
    }

    public let mode: Mode
    /// The input batch (N, C, …).
    public let input: Tensor
    /// The positions the order ranks (see `PositionGrid`).
    public let grid: PositionGrid
    /// Per sample, every position of the grid exactly once, most important first.
    public let order: [[Int]]
    /// Number of stages K ≥ 1; the curve has K + 1 points.
    public let steps: Int
    /// What deleted (or not yet inserted) positions hold.
    public let baseline: MaskingBaseline

    /// A curve over an explicit order of the positions of `input`'s grid over `axes`.
    /// - Throws: `STError.invalidRequest` when `steps` < 1, when an order is not a permutation of
    ///   the grid's positions, or the baseline tensor is not of the input's shape.
    public init(_ mode: Mode, input: Tensor, order: [[Int]], axes: [Int], steps: Int, baseline: MaskingBaseline) throws {
        let grid = try PositionGrid(inputShape: input.shape, axes: axes)
        guard steps >= 1 else {
            throw STError.invalidRequest("\(mode) needs at least one step; got \(steps)")
        }
        guard order.count == grid.samples,
              order.allSatisfy({ $0.sorted() == Array(0..<grid.count) }) else {
            throw STError.invalidRequest("\(mode) needs, per sample of input \(input.shape), an order of all "
                                         + "\(grid.count) positions of grid \(grid.shape)")
        }
        if case .tensor(let tensor) = baseline, tensor.shape != input.shape {
            throw STError.invalidRequest("baseline \(tensor.shape) does not match input \(input.shape)")
        }
        self.mode = mode
        self.input = input
        self.grid = grid
        self.order = order
        self.steps = steps
        self.baseline = baseline
    }

    /// A curve over the order of an explanation: `maps` (N, grid…) scores the positions of the
    /// grid over `axes`, highest first, ties to the lower index.
    /// - Throws: as the other initialiser, and when `maps` is not (N, the input's sizes on `axes`)
    ///   or holds NaN.
    public init(_ mode: Mode, input: Tensor, maps: Tensor, axes: [Int], steps: Int, baseline: MaskingBaseline) throws {
        let order = try PositionGrid(inputShape: input.shape, axes: axes).rankings(of: maps, side: .important)
        try self.init(mode, input: input, order: order, axes: axes, steps: steps, baseline: baseline)
    }

    /// c_k = ⌊k·P/K + ½⌋, the number of positions per sample changed after step k.
    public func changedCount(atStep k: Int) -> Int {
        (2 * k * grid.count + steps) / (2 * steps)
    }

    /// The batch at step k in 0...K: deletion replaces the first c_k positions of each sample's
    /// order by the baseline; insertion replaces all but those.
    public func input(atStep k: Int) throws -> Tensor {
        guard (0...steps).contains(k) else {
            throw STError.invalidRequest("\(mode) step \(k) is outside 0...\(steps)")
        }
        let changed = changedCount(atStep: k)
        let replaced = order.map { positions in
            mode == .deletion ? Array(positions.prefix(changed)) : Array(positions.dropFirst(changed))
        }
        return try grid.replacing(replaced, in: input, with: baseline)
    }

    /// Per sample, the curve s₀ … s_K: `score` maps a batch (N, C, …) to one number per sample
    /// (e.g. the softmax probability of the explained class) and is called once per step.
    /// - Throws: what `score` throws, or `STError.invalidRequest` when it returns other than N numbers.
    public func curves(_ score: (Tensor) throws -> [Double]) throws -> [[Double]] {
        var curves = [[Double]](repeating: [], count: grid.samples)
        for k in 0...steps {
            let values = try score(input(atStep: k))
            guard values.count == grid.samples else {
                throw STError.invalidRequest("\(mode) scoring returned \(values.count) values for \(grid.samples) samples")
            }
            for n in curves.indices { curves[n].append(values[n]) }
        }
        return curves
    }

    /// The trapezoid-rule area under s₀ … s_K over x evenly spaced in [0, 1]:
    /// AUC = Σ_{k<K} (s_k + s_{k+1})/2 · 1/K. Throws for fewer than two points.
    public static func areaUnderCurve(_ scores: [Double]) throws -> Double {
        guard scores.count >= 2 else {
            throw STError.invalidRequest("an area under a curve needs at least two points; got \(scores.count)")
        }
        let intervals = Double(scores.count - 1)
        return zip(scores, scores.dropFirst()).reduce(0) { $0 + ($1.0 + $1.1) / 2 } / intervals
    }
}
