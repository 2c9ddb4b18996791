/// A scalar function of a node's output whose gradient the reverse pass propagates: the value
/// per sample and ∂(Σ values)/∂output.
public struct Objective: Sendable {
    /// The node whose output the objective reads (nil: the graph output).
    public var node: String?
    public let values: @Sendable (Tensor) throws -> [Float]
    public let seed: @Sendable (Tensor) throws -> Tensor

    public init(node: String? = nil, values: @escaping @Sendable (Tensor) throws -> [Float],
                seed: @escaping @Sendable (Tensor) throws -> Tensor) {
        self.node = node
        self.values = values
        self.seed = seed
    }

    /// Output `[n, classes[n]]` of an `N × K` output, per sample: y^c, the class score.
    public static func logits(_ classes: [Int]) -> Objective {
        Objective(values: { output in
            let rows = try matrix(output, rows: classes.count)
            return classes.enumerated().map { rows.values[$0.offset * rows.columns + $0.element] }
        }, seed: { output in
            let rows = try matrix(output, rows: classes.count)
            var seed = [Float](repeating: 0, count: rows.values.count)
            for (sample, index) in classes.enumerated() { seed[sample * rows.columns + index] = 1 }
            return Tensor(shape: output.shape, scalars: seed)
        })
    }

    /// The sum of every output element.
    public static var sum: Objective {
        Objective(values: { [$0.scalars.reduce(0, +)] },
                  seed: { Tensor(repeating: 1, shape: $0.shape) })
    }

    /// Σᵢ wᵢ·outputᵢ for a fixed weight tensor of the output's shape (a vector–Jacobian seed).
    public static func weighted(by weights: Tensor) -> Objective {
        Objective(values: { output in
            guard output.shape == weights.shape else {
                throw STError.shape(node: "objective", reason: "weights \(weights.shape) for output \(output.shape)")
            }
            return [zip(output.scalars, weights.scalars).reduce(0) { $0 + $1.0 * $1.1 }]
        }, seed: { _ in weights })
    }

    /// Mean cross-entropy of `N × K` logits against integer labels: −(1/N)Σ log softmax(y)[label].
    public static func crossEntropy(labels: [Int]) -> Objective {
        Objective(values: { output in
            let logProbabilities = try DNNL.softmaxForward(output, axis: 1, log: true)
            let rows = try matrix(logProbabilities, rows: labels.count)
            let total = labels.enumerated().reduce(Float(0)) { $0 - rows.values[$1.offset * rows.columns + $1.element] }
            return [total / Float(labels.count)]
        }, seed: { output in
            let probabilities = try DNNL.softmaxForward(output, axis: 1, log: false)
            var rows = try matrix(probabilities, rows: labels.count)
            for (sample, label) in labels.enumerated() { rows.values[sample * rows.columns + label] -= 1 }
            let scale = 1 / Float(labels.count)
            return Tensor(shape: output.shape, scalars: rows.values.map { $0 * scale })
        })
    }

    /// Mean squared error against fixed targets of the output's shape: (1/n)·Σ (y − t)², whose
    /// gradient is (2/n)(y − t). For regression heads (PoseNet); seed 001 explains −loss.
    public static func meanSquaredError(targets: Tensor) -> Objective {
        Objective(values: { output in
            guard output.shape == targets.shape else {
                throw STError.shape(node: "objective", reason: "targets \(targets.shape) for output \(output.shape)")
            }
            let total = zip(output.scalars, targets.scalars).reduce(Float(0)) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) }
            return [total / Float(output.count)]
        }, seed: { output in
            let scale = 2 / Float(output.count)
            return Tensor(shape: output.shape, scalars: zip(output.scalars, targets.scalars).map { scale * ($0 - $1) })
        })
    }

    private static func matrix(_ output: Tensor, rows: Int) throws -> (values: [Float], columns: Int) {
        guard output.rank == 2, output.shape[0] == rows else {
            throw STError.shape(node: "objective", reason: "expected \(rows) rows of scores, got \(output.shape)")
        }
        return (output.scalars, output.shape[1])
    }
}
