import STCore
import STExplain

/// The positions an explanation scores, as a grid over some axes of an input batch.
///
/// A map of shape (N, grid…) gives one score per position; a position stands for every input
/// element of its sample whose indices on `axes` equal the position's grid index, whatever the
/// element's indices on the other axes (channels, persons, frames for per-joint maps). So
/// masking a position masks all channels (and persons) there. A position is written as a flat
/// row-major index into one sample's grid `shape`.
///
/// | input | map | axes |
/// |---|---|---|
/// | video (N, C, T, H, W) | voxels (N, T, H, W) | [2, 3, 4] |
/// | video (N, C, T, H, W) | frames (N, T) | [2] |
/// | images (N, C, H, W) | pixels (N, H, W) | [2, 3] |
/// | skeletons (N, C, T, V, M) | joint × time (N, T, V) | [2, 3] |
/// | skeletons (N, C, T, V, M) | joints (N, V) | [3] |
public struct PositionGrid: Sendable {
    /// Shape of the input batch, (N, …).
    public let inputShape: [Int]
    /// The input axes the grid spans, increasing, each in 1 ..< rank.
    public let axes: [Int]
    /// For each element of one sample (row-major over the input's axes after N), its position.
    private let elementPositions: [Int]

    /// The grid over `axes` of inputs shaped `inputShape`. Throws when `inputShape` has no sample
    /// axis or `axes` are not increasing axes after the first.
    public init(inputShape: [Int], axes: [Int]) throws {
        guard inputShape.count >= 2, inputShape.allSatisfy({ $0 >= 1 }),
              axes.allSatisfy({ (1..<inputShape.count).contains($0) }),
              zip(axes, axes.dropFirst()).allSatisfy({ $0 < $1 }) else {
            throw STError.invalidRequest("a position grid needs increasing axes after the sample axis of an input (N, …); "
                                         + "got axes \(axes) of input \(inputShape)")
        }
        self.inputShape = inputShape
        self.axes = axes
        var positions = [0]
        for axis in 1..<inputShape.count {
            let size = inputShape[axis]
            positions = axes.contains(axis)
                ? positions.flatMap { prefix in (0..<size).map { prefix * size + $0 } }
                : positions.flatMap { Array(repeating: $0, count: size) }
        }
        elementPositions = positions
    }

    /// The map axes of an input of `kind`, as `InputKind.mapShape(ofInput:)` lays maps out:
    /// (H, W) for images, (T, H, W) for video, (T, V) for skeletons.
    public init(inputShape: [Int], kind: InputKind) throws {
        let rank = kind == .image ? 4 : 5
        guard inputShape.count == rank else {
            throw STError.invalidRequest("a \(kind) input has \(rank) axes; got \(inputShape)")
        }
        try self.init(inputShape: inputShape, axes: kind == .skeleton ? [2, 3] : Array(2..<rank))
    }

    /// Number of samples N.
    public var samples: Int { inputShape[0] }

    /// The grid of one sample: the input's sizes on `axes`.
    public var shape: [Int] { axes.map { inputShape[$0] } }

    /// Positions per sample.
    public var count: Int { shape.reduce(1, *) }

    /// The shape of a map that scores this grid: (N, grid…).
    public var mapShape: [Int] { [samples] + shape }

    /// Per sample, every position ordered by `maps` (N, grid…) as `side` masks them: highest
    /// score first for `important`, lowest first for `nonImportant`, ties to the lower index.
    /// Throws when `maps` is not `mapShape` or holds NaN.
    public func rankings(of maps: Tensor, side: MaskingSide) throws -> [[Int]] {
        guard maps.shape == mapShape else {
            throw STError.invalidRequest("maps \(maps.shape) do not score input \(inputShape) over axes \(axes): "
                                         + "expected \(mapShape)")
        }
        let scores = maps.plain().scalars
        return try (0..<samples).map { n in
            try side.ranking(of: Array(scores[(n * count)..<((n + 1) * count)]))
        }
    }

    /// A copy of `input` in which, for each sample n, every element at a position in
    /// `positions[n]` is replaced by the baseline. Throws when the input or a baseline tensor is
    /// not of `inputShape`, when there is not one position list per sample, or when a position is
    /// outside 0 ..< `count`.
    public func replacing(_ positions: [[Int]], in input: Tensor, with baseline: MaskingBaseline) throws -> Tensor {
        guard input.shape == inputShape else {
            throw STError.invalidRequest("input \(input.shape) does not match the position grid's input \(inputShape)")
        }
        guard positions.count == samples else {
            throw STError.invalidRequest("\(positions.count) position lists for the \(samples) samples of input \(inputShape)")
        }
        let replacement: (Int) -> Float
        switch baseline {
        case .constant(let value): replacement = { _ in value }
        case .tensor(let tensor):
            guard tensor.shape == inputShape else {
                throw STError.invalidRequest("baseline \(tensor.shape) does not match input \(inputShape)")
            }
            let scalars = tensor.plain().scalars
            replacement = { scalars[$0] }
        }
        var values = input.plain().scalars
        let sampleSize = elementPositions.count
        for (n, chosen) in positions.enumerated() {
            var replaced = [Bool](repeating: false, count: count)
            for position in chosen {
                guard (0..<count).contains(position) else {
                    throw STError.invalidRequest("position \(position) of sample \(n) is outside the \(count) positions "
                                                 + "of grid \(shape)")
                }
                replaced[position] = true
            }
            let base = n * sampleSize
            for (offset, position) in elementPositions.enumerated() where replaced[position] {
                values[base + offset] = replacement(base + offset)
            }
        }
        return Tensor(shape: inputShape, scalars: values)
    }
}
