import STCore

/// Running sums of every metric of one method over the samples seen so far. Only sums and counts
/// are kept, so a dataset streams through in batches, and accumulators of disjoint shards
/// `merge` into exactly the one over all samples.
public struct MethodScores: Sendable, Codable, Equatable {
    public let method: String
    /// Samples seen.
    public var samples = 0
    /// Samples the model classifies correctly unmasked (α₀'s numerator).
    public var correct = 0
    /// Correct classifications with a fraction masked, keyed `MaskingKey.name`.
    public var maskedCorrect: [String: Int] = [:]
    /// Σ over samples of per-sample metric values, and how many samples each sum holds.
    public var sums: [String: Double] = [:]
    public var counts: [String: Int] = [:]
    /// Σ over samples of the deletion and insertion curves.
    public var curveSums: [String: [Double]] = [:]
    /// Σ over the checked samples of the correlation of maps before and after each randomisation step.
    public var randomisation: [RandomisationStep] = []
    /// Seconds spent explaining, and spent scoring masked copies (with how many copies).
    public var explanationSeconds = 0.0
    public var maskingSeconds = 0.0
    public var maskedInputs = 0

    /// One step of the randomisation check: the layers randomised last, with summed similarities.
    public struct RandomisationStep: Sendable, Codable, Equatable {
        public var layer: String
        public var spearmanSum = 0.0
        public var ssimSum = 0.0
        public var samples = 0
    }

    public init(method: String) {
        self.method = method
    }

    /// Adds per-sample values of a metric.
    public mutating func add(_ values: [Double], to metric: String) {
        sums[metric, default: 0] += values.reduce(0, +)
        counts[metric, default: 0] += values.count
    }

    /// Adds per-sample curves (all of one length) to the summed curve of `name`.
    public mutating func add(curves: [[Double]], to name: String) {
        for curve in curves {
            curveSums[name] = zip(curveSums[name] ?? Array(repeating: 0, count: curve.count), curve).map { $0 + $1 }
        }
    }

    /// The mean of a metric over its samples; nil when none was measured.
    public func mean(_ metric: String) -> Double? {
        guard let sum = sums[metric], let count = counts[metric], count > 0 else { return nil }
        return sum / Double(count)
    }

    /// The mean curve of `name` (deletion or insertion); nil when none was measured.
    public func meanCurve(_ name: String) -> [Double]? {
        guard let sum = curveSums[name], let count = counts[name], count > 0 else { return nil }
        return sum.map { $0 / Double(count) }
    }

    /// α₀, the unmasked accuracy as a fraction.
    public var accuracy: Double? { samples > 0 ? Double(correct) / Double(samples) : nil }

    /// α_m with `fraction` masked on `side`, as a fraction; nil when not measured.
    public func maskedAccuracy(_ side: MaskingSide, fraction: Double) -> Double? {
        guard samples > 0, let count = maskedCorrect[MaskingKey(side: side, fraction: fraction).name] else { return nil }
        return Double(count) / Double(samples)
    }

    /// Seed 000's β over the masked fractions measured on `side`.
    public func beta(_ side: MaskingSide, fractions: [Double]) throws -> Double? {
        guard let accuracy, accuracy > 0 else { return nil }
        let points = fractions.compactMap { fraction in
            maskedAccuracy(side, fraction: fraction).map { MaskingFaithfulness.AccuracyPoint(fraction: fraction, accuracy: $0) }
        }
        return points.isEmpty ? nil : try MaskingFaithfulness.beta(baselineAccuracy: accuracy, accuracies: points)
    }

    /// Adds another accumulator of the same method over disjoint samples.
    /// - Throws: `STError.invalidRequest` when the methods or randomisation layers differ.
    public mutating func merge(_ other: MethodScores) throws {
        guard other.method == method else {
            throw STError.invalidRequest("cannot merge scores of '\(other.method)' into '\(method)'")
        }
        samples += other.samples
        correct += other.correct
        maskedCorrect.merge(other.maskedCorrect, uniquingKeysWith: +)
        sums.merge(other.sums, uniquingKeysWith: +)
        counts.merge(other.counts, uniquingKeysWith: +)
        for (name, curve) in other.curveSums {
            curveSums[name] = zip(curveSums[name] ?? Array(repeating: 0, count: curve.count), curve).map { $0 + $1 }
        }
        if randomisation.isEmpty {
            randomisation = other.randomisation
        } else if !other.randomisation.isEmpty {
            guard other.randomisation.map(\.layer) == randomisation.map(\.layer) else {
                throw STError.invalidRequest("cannot merge randomisation checks over different layers")
            }
            for i in randomisation.indices {
                randomisation[i].spearmanSum += other.randomisation[i].spearmanSum
                randomisation[i].ssimSum += other.randomisation[i].ssimSum
                randomisation[i].samples += other.randomisation[i].samples
            }
        }
        explanationSeconds += other.explanationSeconds
        maskingSeconds += other.maskingSeconds
        maskedInputs += other.maskedInputs
    }
}

/// A masking condition as a dictionary key, `important@0.5`.
struct MaskingKey {
    let side: MaskingSide
    let fraction: Double

    var name: String { "\(side.rawValue)@\(fraction)" }
}
