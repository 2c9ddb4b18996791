import STCore

/// The arrow-of-time task over any video dataset: is the clip played forwards or backwards?
///
/// Sample `i` is built from source clip `⌊i/2⌋`: even indices keep it as it is (label 0,
/// "forward"), odd indices reverse its time axis (label 1, "reversed"):
/// `x_reversed[c, t, h, w] = x[c, T−1−t, h, w]`. Both versions of every clip are in the set, so
/// appearance carries no information and only motion decides. The ground truth is the
/// source's mask, reversed the same way (`m_reversed[t] = m[T−1−t]`).
///
/// The task is only learnable when the source's motion is not time-symmetric: the default
/// source, `MovingShapes.Configuration.arrowOfTime`, moves the deciding object with a
/// decelerating `easeOut` profile while everything else in the clip is time-symmetric, so that
/// object's mask is the true evidence.
public struct ArrowOfTime<Source: LabeledDataset>: LabeledDataset {
    /// The wrapped dataset; its inputs are `C × T × H × W` and its masks `T × H × W`.
    public let source: Source

    /// Wraps `source`: `2 × source.count` samples.
    public init(source: Source) {
        self.source = source
    }

    public var count: Int { 2 * source.count }

    public var classNames: [String] { ["forward", "reversed"] }

    /// Sample `index`: source clip `index / 2`, reversed in time when `index` is odd.
    public func sample(_ index: Int) -> Sample {
        precondition(index >= 0 && index < count, "ArrowOfTime index \(index) outside 0..<\(count)")
        let clip = source.sample(index / 2)
        guard index % 2 == 1 else {
            return Sample(input: clip.input, label: 0, groundTruth: clip.groundTruth)
        }
        return Sample(input: timeReversed(clip.input, axis: 1), label: 1,
                      groundTruth: clip.groundTruth.map { timeReversed($0, axis: 0) })
    }
}

/// `tensor` with the order of its slices along `axis` reversed:
/// `y[…, t, …] = x[…, n−1−t, …]` where `n = shape[axis]` (the time axis: 1 for a `C × T × H × W`
/// clip, 0 for a `T × H × W` mask).
public func timeReversed(_ tensor: Tensor, axis: Int) -> Tensor {
    precondition(axis >= 0 && axis < tensor.rank, "axis \(axis) outside shape \(tensor.shape)")
    let length = tensor.shape[axis]
    let inner = tensor.shape[(axis + 1)...].reduce(1, *)
    let outer = tensor.shape[..<axis].reduce(1, *)
    let source = tensor.scalars
    var reversed = [Float](repeating: 0, count: source.count)
    for o in 0..<outer {
        for t in 0..<length {
            let from = (o * length + t) * inner
            let to = (o * length + length - 1 - t) * inner
            reversed[to..<to + inner] = source[from..<from + inner]
        }
    }
    return Tensor(shape: tensor.shape, scalars: reversed)
}

extension ArrowOfTime where Source == MovingShapes {
    /// Forward and reversed `MovingShapes` clips: `clips` source clips of `split` rendered with
    /// `configuration` (by default `.arrowOfTime`), `2 × clips` samples.
    /// - Throws: `STError.invalidRequest` for an invalid configuration (see `MovingShapes.init`).
    public init(split: Split = .train, clips: Int, seed: UInt64 = 0,
                configuration: MovingShapes.Configuration = .arrowOfTime) throws {
        self.init(source: try MovingShapes(split: split, count: clips, seed: seed, configuration: configuration))
    }
}
