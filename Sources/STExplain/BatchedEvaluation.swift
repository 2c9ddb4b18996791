import STCore

/// Evaluates a model on many modified copies of the input samples, `batchSize` rows per forward
/// pass: the shared loop of integrated gradients, SmoothGrad and occlusion.
struct BatchedEvaluation {
    let model: ExplainedModel
    let target: ResolvedTarget
    /// One row's shape (the input's shape without the batch axis).
    let rowShape: [Int]
    let batchSize: Int
    let progress: (@Sendable (Int, Int) -> Void)?

    init(model: ExplainedModel, target: ResolvedTarget, inputShape: [Int], batching: Batching) {
        self.model = model
        self.target = target
        rowShape = Array(inputShape.dropFirst())
        batchSize = batching.size
        progress = batching.progress
    }

    var rowSize: Int { rowShape.reduce(1, *) }

    /// For rows 0..<count: `fill` writes row i (a copy of sample `sample(i)`), then `use` receives
    /// ∂target/∂row (with `reluMode` for ReLUs) — or, with `gradients: false`, nothing but the
    /// target's value — for each row.
    func run(count: Int, sample: (Int) -> Int, gradients: Bool, reluMode: ReLUBackward = .exact,
             fill: (Int, UnsafeMutableBufferPointer<Float>) -> Void,
             use: (Int, Float, UnsafeBufferPointer<Float>?) throws -> Void) throws {
        let size = rowSize
        for start in stride(from: 0, to: count, by: batchSize) {
            let rows = start..<min(start + batchSize, count)
            var batch = Tensor(zeros: [rows.count] + rowShape)
            batch.withUnsafeMutableBufferPointer { buffer in
                for (offset, row) in rows.enumerated() {
                    fill(row, UnsafeMutableBufferPointer(rebasing: buffer[(offset * size)..<((offset + 1) * size)]))
                }
            }
            let objective = try target.objective(rows.map(sample))
            let trace = try model.graph.forward(batch, options: ForwardOptions(observe: [], differentiable: gradients))
            let values = try objective.values(try trace.activation(objective.node ?? model.graph.output))
            if gradients {
                let gradient = try trace.gradient(of: objective, at: [model.inputName], reluMode: reluMode)[model.inputName]!.plain()
                try gradient.withUnsafeBufferPointer { buffer in
                    for (offset, row) in rows.enumerated() {
                        try use(row, values[offset], UnsafeBufferPointer(rebasing: buffer[(offset * size)..<((offset + 1) * size)]))
                    }
                }
            } else {
                for (offset, row) in rows.enumerated() { try use(row, values[offset], nil) }
            }
            progress?(rows.upperBound, count)
        }
    }
}
