import STCore
import STExplain

/// The model's raw outputs for many inputs, `batchSize` rows per forward pass: what every
/// perturbation metric (masking, deletion, insertion) scores.
public struct ModelOutputs: Sendable {
    /// One row of outputs per input (N × K for a classifier's logits).
    public let rows: [[Float]]

    /// Runs `model` on the N inputs of `inputs` (N × input shape).
    public init(model: ExplainedModel, inputs: Tensor, batchSize: Int = 32) throws {
        let rowSize = inputs.count / inputs.shape[0]
        let rowShape = Array(inputs.shape.dropFirst())
        let scalars = inputs.plain().scalars
        var rows: [[Float]] = []
        rows.reserveCapacity(inputs.shape[0])
        for start in stride(from: 0, to: inputs.shape[0], by: max(1, batchSize)) {
            let end = min(start + max(1, batchSize), inputs.shape[0])
            let batch = Tensor(shape: [end - start] + rowShape, scalars: Array(scalars[(start * rowSize)..<(end * rowSize)]))
            let output = try model.graph.forward(batch, options: ForwardOptions(observe: [], differentiable: false)).output.plain()
            let width = output.count / output.shape[0]
            let values = output.scalars
            for n in 0..<(end - start) { rows.append(Array(values[(n * width)..<((n + 1) * width)])) }
        }
        self.rows = rows
    }

    /// The predicted class of each row (the first maximum).
    public var predictedClasses: [Int] {
        rows.map { row in row.indices.max { (row[$0], $1) < (row[$1], $0) } ?? 0 }
    }

    /// Softmax probability of `classes[n]` in row n: e^{y_c} / Σ_k e^{y_k}, computed stably.
    public func probabilities(of classes: [Int]) -> [Float] {
        zip(rows, classes).map { row, c in Softmax.rows(row, width: row.count)[c] }
    }

    /// Number of rows whose predicted class equals `labels[n]`.
    public func correctCount(labels: [Int]) -> Int {
        zip(predictedClasses, labels).filter { $0 == $1 }.count
    }
}
