import Dispatch
import STCore

/// The three disjoint parts of a synthetic dataset.
///
/// Each split draws its samples from its own range of random streams: sample `index` of split
/// `s` uses the stream key `s·2⁵⁶ + index` (see `sampleSeed(datasetSeed:index:)`), so no two
/// splits share a stream and a sample never depends on the split's `count`.
public enum Split: Int, Sendable, CaseIterable {
    case train = 0
    case validation = 1
    case test = 2

    /// Largest number of samples a split can address (the width of its key range, `2⁵⁶`).
    public static let capacity = 1 << 56

    /// Checks a dataset's requested sample count against the key range of a split.
    /// - Throws: `STError.invalidRequest` naming `dataset` unless `0 ≤ count ≤ 2⁵⁶`.
    public static func validate(count: Int, dataset: String) throws {
        guard count >= 0, count <= capacity else {
            throw STError.invalidRequest("\(dataset): count \(count) must be in 0...2^56")
        }
    }

    /// The seed of sample `index` in this split of the dataset seeded `datasetSeed`:
    /// `mix(datasetSeed, rawValue·2⁵⁶ + index)`, where `mix(a, b)` is the SplitMix64 finaliser of
    /// `a` combined with the finaliser of `b`. A pure function, so samples can be generated in any
    /// order, in parallel, and reproduced one at a time.
    public func sampleSeed(datasetSeed: UInt64, index: Int) -> UInt64 {
        precondition(index >= 0 && index < Self.capacity, "sample index \(index) outside a split")
        return mixSeed(datasetSeed, UInt64(rawValue) << 56 | UInt64(index))
    }
}

/// One example of a dataset, without a batch axis.
///
/// Shapes: video `input` is `C × T × H × W` and its `groundTruth` `T × H × W`; skeleton `input`
/// is `C × T × V × M` and its `groundTruth` `T × V × M`, `T × V` or `V` (joints that decide the
/// class); stacked frames (visual odometry) `3k × H × W`.
public struct Sample: Sendable {
    /// The model input.
    public var input: Tensor
    /// Class index into `classNames`; `0` for regression datasets, which have no classes.
    public var label: Int
    /// Regression target (e.g. `2 × 6` relative poses), `nil` for classification.
    public var target: Tensor?
    /// Ground-truth relevance at input resolution without channels: 1 on the elements that
    /// decide the label, 0 elsewhere; `nil` when the dataset has none.
    public var groundTruth: Tensor?

    public init(input: Tensor, label: Int, target: Tensor? = nil, groundTruth: Tensor? = nil) {
        self.input = input
        self.label = label
        self.target = target
        self.groundTruth = groundTruth
    }
}

/// Samples stacked on a new leading batch axis: `inputs` is `N × (input shape)`, `targets` and
/// `masks` likewise when every sample has one.
public struct Batch: Sendable {
    /// `N × (input shape)`.
    public var inputs: Tensor
    /// The `N` class indices.
    public var labels: [Int]
    /// `N × (target shape)`, or nil when some sample has no target.
    public var targets: Tensor?
    /// `N × (ground-truth shape)`, or nil when some sample has no ground truth.
    public var masks: Tensor?

    public init(inputs: Tensor, labels: [Int], targets: Tensor? = nil, masks: Tensor? = nil) {
        self.inputs = inputs
        self.labels = labels
        self.targets = targets
        self.masks = masks
    }
}

/// A finite, indexable, deterministic dataset of labelled samples.
///
/// Conforming types generate sample `i` as a pure function of (dataset seed, split, `i`), using
/// `Split.sampleSeed(datasetSeed:index:)`; `sample(_:)` may therefore be called concurrently and
/// in any order, and always returns the same tensors for the same arguments.
public protocol LabeledDataset: Sendable {
    /// Number of samples, addressed by `0..<count`.
    var count: Int { get }
    /// Human-readable class names, indexed by `Sample.label`; empty for regression datasets.
    var classNames: [String] { get }
    /// Sample `index`, `0 ≤ index < count` (a precondition).
    func sample(_ index: Int) -> Sample
}

extension LabeledDataset {
    /// The samples at `indices` (generated concurrently) stacked on a new axis 0.
    ///
    /// `inputs[n] = sample(indices[n]).input`; `targets` and `masks` are stacked the same way
    /// when every sample carries one, otherwise `nil`. `indices` must be non-empty and the samples
    /// of one dataset share their shapes (preconditions).
    public func batch(indices: [Int]) -> Batch {
        precondition(!indices.isEmpty, "a batch needs at least one sample")
        let samples = SampleBuffer(count: indices.count)
        DispatchQueue.concurrentPerform(iterations: indices.count) { n in
            samples.store(sample(indices[n]), at: n)
        }
        let all = samples.collect()
        let targets = all.compactMap(\.target)
        let masks = all.compactMap(\.groundTruth)
        return Batch(
            inputs: stack(all.map(\.input)),
            labels: all.map(\.label),
            targets: targets.count == all.count ? stack(targets) : nil,
            masks: masks.count == all.count ? stack(masks) : nil)
    }
}

/// `N` tensors of equal shape `S` as one tensor of shape `[N] + S`.
func stack(_ tensors: [Tensor]) -> Tensor {
    let shape = tensors[0].shape
    var scalars: [Float] = []
    scalars.reserveCapacity(tensors.count * tensors[0].count)
    for tensor in tensors {
        precondition(tensor.shape == shape, "cannot stack \(tensor.shape) with \(shape)")
        tensor.withUnsafeBufferPointer { scalars.append(contentsOf: $0) }
    }
    return Tensor(shape: [tensors.count] + shape, scalars: scalars)
}

/// Combines two 64-bit values into a well-mixed seed: `f(a ⊕ f(b + γ))` with `f` the SplitMix64
/// finaliser and `γ = 0x9E3779B97F4A7C15`. Used to derive independent sub-streams
/// (background, objects, noise) from one sample seed.
func mixSeed(_ a: UInt64, _ b: UInt64) -> UInt64 {
    func finalise(_ value: UInt64) -> UInt64 {
        var z = value
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    return finalise(a ^ finalise(b &+ 0x9E37_79B9_7F4A_7C15))
}

extension SeededGenerator {
    /// Uniform in `[low, high)`: `low + (high − low)·u` with `u = nextUnitFloat()`.
    mutating func uniform(_ low: Float, _ high: Float) -> Float {
        low + (high - low) * nextUnitFloat()
    }

    /// Uniform integer in `range`: `lowerBound + next() mod (range.count)` (the modulo bias is
    /// below 2⁻⁵⁰ for the small ranges datasets use). Spelled out rather than `Int.random(in:using:)`
    /// so that samples never depend on the standard library's sampling algorithm.
    mutating func integer(in range: ClosedRange<Int>) -> Int {
        range.lowerBound + Int(next() % UInt64(range.count))
    }
}

/// Fixed slots filled concurrently, one writer per slot; read after all writers finished.
private final class SampleBuffer: @unchecked Sendable {
    private let slots: UnsafeMutableBufferPointer<Sample?>

    init(count: Int) {
        slots = .allocate(capacity: count)
        slots.initialize(repeating: nil)
    }

    deinit {
        slots.deinitialize()
        slots.deallocate()
    }

    func store(_ sample: Sample, at index: Int) {
        slots[index] = sample
    }

    func collect() -> [Sample] {
        slots.map { $0! }
    }
}
