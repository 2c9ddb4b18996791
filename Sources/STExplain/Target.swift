import STCore

/// The scalar an explanation explains, per sample (DESIGN §4; Captum's `target`).
public enum Target: Sendable {
    /// The class with the highest score, per sample (the default).
    case topClass
    /// One class for every sample.
    case classIndex(Int)
    /// One class per sample.
    case classIndices([Int])
    /// The softmax probability p_c = exp(y_c)/Σ_j exp(y_j) of a class (top-1 when nil);
    /// ∂p_c/∂y_j = p_c(δ_cj − p_j).
    case probability(Int?)
    /// Σ of the listed output elements (flat indices within one sample's output): a regression
    /// output such as PoseNet's translation components.
    case outputs([Int])
    /// The negative loss −(1/|S|)·Σ_{i∈S} (y_i − t_i)² against ground truth `t` (the output's
    /// shape), over the components S (all when nil) — seed 001's target for regression.
    case negativeLoss(groundTruth: Tensor, components: [Int]?)
    /// The softmax attention weight a_t of frame `frame` (models with temporal attention).
    case attention(frame: Int)
    /// Any objective; it is applied unchanged to every batch the method evaluates, so it must
    /// treat rows independently.
    case custom(Objective)

    /// The output components of PoseNet's (N, R, 6) output for one part of the motion:
    /// translation = (t_x, t_y, t_z), rotation = (r_x, r_y, r_z) of every reference frame.
    public static func poseComponents(_ part: PosePart, referenceFrames: Int) -> [Int] {
        (0..<referenceFrames).flatMap { frame in part.offsets.map { frame * 6 + $0 } }
    }

    /// Translation or rotation of PoseNet's 6-DoF output.
    public enum PosePart: String, Sendable, CaseIterable {
        case translation, rotation
        var offsets: Range<Int> { self == .translation ? 0..<3 : 3..<6 }
    }

    /// Fixes the target for one batch: which class (if any) and score each sample gets, and the
    /// objective for any selection of its rows.
    func resolve(in trace: Trace, model: ExplainedModel) throws -> ResolvedTarget {
        let output = trace.output.plain()
        let samples = output.shape[0]
        let width = output.count / samples
        let scalars = output.scalars
        func row(_ n: Int) -> ArraySlice<Float> { scalars[(n * width)..<((n + 1) * width)] }

        switch self {
        case .topClass, .classIndex, .classIndices, .probability:
            guard case .classification(let classes) = model.task, output.rank == 2, output.shape[1] == classes else {
                throw STError.invalidRequest("a class target needs a classifier; this model's output is \(output.shape) "
                                             + "(use an output index or the negative loss)")
            }
            let chosen = try classIndices(samples: samples, classes: classes) { n in
                row(n).indices.max { row(n)[$0] < row(n)[$1] }! - n * width
            }
            let probability = if case .probability = self { true } else { false }
            return ResolvedTarget(
                classes: chosen, scores: chosen.enumerated().map { row($0.offset)[$0.offset * width + $0.element] },
                description: probability ? "softmax probability" : "class score",
                objective: { rows in
                    probability ? .softmaxProbability(rows.map { chosen[$0] }) : .logits(rows.map { chosen[$0] })
                })
        case .outputs(let components):
            try requireRegression(model, components: components, width: width)
            return ResolvedTarget(
                classes: nil, scores: (0..<samples).map { n in components.reduce(0) { $0 + row(n)[n * width + $1] } },
                description: "sum of outputs \(components)",
                objective: { rows in .selectedOutputs(components, rows: rows.count) })
        case .negativeLoss(let groundTruth, let components):
            let selected = components ?? Array(0..<width)
            try requireRegression(model, components: selected, width: width)
            guard groundTruth.shape == output.shape else {
                throw STError.invalidRequest("ground truth of shape \(groundTruth.shape) for an output of shape \(output.shape)")
            }
            let truth = groundTruth.scalars
            let scores = (0..<samples).map { n in
                -selected.reduce(Float(0)) { sum, i in
                    let difference = scalars[n * width + i] - truth[n * width + i]
                    return sum + difference * difference
                } / Float(selected.count)
            }
            return ResolvedTarget(
                classes: nil, scores: scores, description: "negative loss over outputs \(selected)",
                objective: { rows in
                    .negativeSquaredError(truth: rows.flatMap { truth[($0 * width)..<(($0 + 1) * width)] },
                                          components: selected, width: width)
                })
        case .attention(let frame):
            guard let node = model.attentionNode else {
                throw STError.invalidRequest("an attention target needs a model with temporal attention")
            }
            let weights = try trace.activation(node).plain()
            let frames = weights.shape[1]
            guard (0..<frames).contains(frame) else {
                throw STError.invalidRequest("attention frame \(frame) is out of range 0..<\(frames)")
            }
            return ResolvedTarget(
                classes: nil, scores: (0..<samples).map { weights.scalars[$0 * frames + frame] },
                description: "attention weight of frame \(frame)",
                objective: { rows in .attentionWeight(frame: frame, node: node, rows: rows.count) })
        case .custom(let objective):
            let values = try objective.values(try trace.activation(objective.node ?? model.graph.output))
            return ResolvedTarget(classes: nil, scores: values.count == samples ? values : Array(repeating: values.first ?? 0, count: samples),
                                  description: "custom objective", objective: { _ in objective })
        }
    }

    private func classIndices(samples: Int, classes: Int, top: (Int) -> Int) throws -> [Int] {
        let chosen: [Int]
        switch self {
        case .classIndex(let index): chosen = Array(repeating: index, count: samples)
        case .classIndices(let indices):
            guard indices.count == samples else {
                throw STError.invalidRequest("\(indices.count) target classes for \(samples) samples")
            }
            chosen = indices
        case .probability(let index?): chosen = Array(repeating: index, count: samples)
        default: chosen = (0..<samples).map(top)
        }
        if let bad = chosen.first(where: { !(0..<classes).contains($0) }) {
            throw STError.invalidRequest("target class \(bad) is out of range for a model with \(classes) classes (0…\(classes - 1))")
        }
        return chosen
    }

    private func requireRegression(_ model: ExplainedModel, components: [Int], width: Int) throws {
        guard model.task == .regression else {
            throw STError.invalidRequest("a regression target needs a regression model; this one is a classifier "
                                         + "(use a class index, 'top' or a probability)")
        }
        if let bad = components.first(where: { !(0..<width).contains($0) }) {
            throw STError.invalidRequest("output component \(bad) is out of range 0..<\(width)")
        }
    }
}

/// A target fixed for one batch of samples.
struct ResolvedTarget: Sendable {
    /// The class explained for each sample (nil for regression, attention and custom targets).
    let classes: [Int]?
    /// The raw model output for the target, per sample (before any softmax).
    let scores: [Float]
    /// What the target is, for summaries.
    let description: String
    /// The objective for a batch whose rows are copies of the given samples (by index).
    let objective: @Sendable ([Int]) throws -> Objective
}
