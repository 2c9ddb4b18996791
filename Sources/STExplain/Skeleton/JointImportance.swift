import STCore

/// Seed 000's per-class joint importance, accumulated over a dataset one batch at a time:
///
///     ψ_c = (1/M_c) · Σ_{m ∈ class c} (1/T_m) · Σ_{t < T_m} H_m(t, ·)
///
/// with H_m the joint × time heatmap of sample m (Grad-CAM at the last ST-GCN block, brought to
/// the input's frames, persons averaged) and T_m its valid (non-padding) frames. `importance(of:)`
/// min–max normalises ψ_c to [0, 1]. Only running sums are kept, so it scales to NTU-size sets,
/// and two accumulators over disjoint shards `merge` into exactly the one over all samples.
public struct JointImportance: Sendable, Equatable, Codable {
    /// V, the number of joints of the layout.
    public let joints: Int
    /// Σ over the samples of each class of their time-averaged heatmaps.
    public private(set) var sums: [Int: [Double]] = [:]
    /// M_c, the number of samples of each class.
    public private(set) var counts: [Int: Int] = [:]

    /// An empty accumulator over `joints` joints.
    public init(joints: Int) {
        self.joints = joints
    }

    /// An accumulator holding given running sums (read back from a file).
    public init(joints: Int, sums: [Int: [Double]], counts: [Int: Int]) {
        self.joints = joints
        self.sums = sums
        self.counts = counts
    }

    /// Adds one sample's time-averaged heatmap (one value per joint).
    public mutating func add(timeAveraged mean: [Double], label: Int) {
        sums[label] = zip(sums[label] ?? Array(repeating: 0, count: joints), mean).map { $0 + $1 }
        counts[label, default: 0] += 1
    }

    /// Adds every sample of a skeleton explanation for `input` (N, C, T, V, M) with ground-truth
    /// `labels`: the (N, T, V) attribution of CAM methods, the (N, T, V) map of the others.
    public mutating func add(_ explanation: Explanation, input: Tensor, labels: [Int]) throws {
        let means = try Self.timeAveraged(explanation, input: input)
        guard means.count == labels.count, means.allSatisfy({ $0.count == joints }) else {
            throw STError.invalidRequest("joint importance needs (N, T, \(joints)) heatmaps for \(labels.count) labels, "
                                         + "got \(Self.heatmaps(of: explanation).shape)")
        }
        for (mean, label) in zip(means, labels) {
            add(timeAveraged: mean, label: label)
        }
    }

    /// Each sample's heatmap of a skeleton explanation averaged over its valid frames: what
    /// `add(_:input:labels:)` adds, for callers that keep it per sample.
    public static func timeAveraged(_ explanation: Explanation, input: Tensor) throws -> [[Double]] {
        let heatmaps = Self.heatmaps(of: explanation)
        guard heatmaps.rank == 3 else {
            throw STError.invalidRequest("joint importance needs (N, T, V) heatmaps, got \(heatmaps.shape)")
        }
        return timeAveraged(heatmaps, validFrames: validFrames(of: input))
    }

    /// The (N, T, V) heatmaps of a skeleton explanation: the attribution of CAM methods, the map
    /// of the others.
    public static func heatmaps(of explanation: Explanation) -> Tensor {
        explanation.attribution.rank == 3 ? explanation.attribution : explanation.map
    }

    /// Combines accumulators of disjoint sample sets.
    public mutating func merge(_ other: JointImportance) throws {
        guard other.joints == joints else {
            throw STError.invalidRequest("cannot merge joint importance over \(other.joints) joints into \(joints)")
        }
        for (label, sum) in other.sums {
            sums[label] = zip(sums[label] ?? Array(repeating: 0, count: joints), sum).map { $0 + $1 }
            counts[label, default: 0] += other.counts[label] ?? 0
        }
    }

    /// ψ_c min–max normalised to [0, 1] (all zeros when the joints tie); nil for an unseen class.
    public func importance(of label: Int) -> [Float]? {
        guard let sum = sums[label], let count = counts[label], count > 0 else { return nil }
        let psi = sum.map { $0 / Double(count) }
        let (low, high) = (psi.min()!, psi.max()!)
        return psi.map { high > low ? Float(($0 - low) / (high - low)) : 0 }
    }

    /// Joints of class `label` from most to least important.
    public func ranking(of label: Int) -> [Int]? {
        guard let psi = importance(of: label) else { return nil }
        return psi.indices.sorted { (psi[$0], $1) > (psi[$1], $0) }
    }

    /// (1/T_m)·Σ_{t < T_m} H_m(t, ·) for each sample m of (N, T, V) heatmaps with T_m valid frames.
    public static func timeAveraged(_ heatmaps: Tensor, validFrames: [Int]) -> [[Double]] {
        let (frames, joints) = (heatmaps.shape[1], heatmaps.shape[2])
        let values = heatmaps.plain().scalars
        return validFrames.enumerated().map { n, valid in
            let counted = min(max(valid, 1), frames)
            var mean = [Double](repeating: 0, count: joints)
            for t in 0..<counted {
                for v in 0..<joints { mean[v] += Double(values[(n * frames + t) * joints + v]) / Double(counted) }
            }
            return mean
        }
    }

    /// Per sample, the number of frames up to the last one with any non-zero coordinate (NTU
    /// clips are zero-padded after the recording ends).
    public static func validFrames(of input: Tensor) -> [Int] {
        let shape = input.shape
        let (samples, channels, frames) = (shape[0], shape[1], shape[2])
        let frameSize = shape.dropFirst(3).reduce(1, *)
        let x = input.plain().scalars
        return (0..<samples).map { n in
            var last = 0
            for c in 0..<channels {
                for t in stride(from: frames - 1, through: last, by: -1) {
                    let start = ((n * channels + c) * frames + t) * frameSize
                    if x[start..<(start + frameSize)].contains(where: { $0 != 0 }) { last = max(last, t + 1); break }
                }
            }
            return last
        }
    }
}
