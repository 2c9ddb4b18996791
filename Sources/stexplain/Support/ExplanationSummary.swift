import STCore
import STExplain

/// `summary.json` (DESIGN §6). For one sample `target`, `score`, `topk` and `attention_weights`
/// are a value, a number, a list and a list; for a batch of N each becomes a list of N of them.
///
///     method, layer (null for input-level methods), target (class index; null for regression),
///     target_description, score (raw output for the target, before softmax),
///     topk [{class, score, probability}], input_shape, map_shape, attribution_shape, seconds,
///     model, input, label (manifest runs), attention_weights (attention models only),
///     freeze_frame_predictions (lrp-st: the top class of each frame's freeze clip),
///     convergence_delta (integrated gradients: Σ attribution − (f(x) − f(x′))),
///     relevance_absorbed (lrp, lrp-st, attnlrp: y_target − Σ R_input),
///     attention_maps (attention-rollout, transformer-attribution: the softmax nodes rolled out),
///     valid_frames and joint_importance [{joint, importance}] (skeletons: the heatmap averaged
///     over each sample's valid frames, min–max normalised, joints named as in the layout)
struct ExplanationSummary: Encodable {
    let explanation: Explanation
    let inputShape: [Int]
    let model: String
    let input: String
    /// The ground-truth class a manifest gave.
    var label: Int?
    var skeleton: SkeletonSummary?

    /// Per-sample joint importance of a skeleton explanation.
    struct SkeletonSummary {
        let validFrames: [Int]
        let jointImportance: [[JointScore]]

        struct JointScore: Encodable {
            let joint: String
            let importance: Float
        }

        init(explanation: Explanation, input: Tensor, jointNames: [String]) {
            let heatmaps = JointImportance.heatmaps(of: explanation)
            validFrames = JointImportance.validFrames(of: input)
            jointImportance = JointImportance.timeAveraged(heatmaps, validFrames: validFrames).map { mean in
                let (low, high) = (mean.min() ?? 0, mean.max() ?? 0)
                return zip(jointNames, mean).map {
                    JointScore(joint: $0, importance: high > low ? Float(($1 - low) / (high - low)) : 0)
                }
            }
        }
    }

    enum CodingKeys: String, CodingKey {
        case method, layer, target, targetDescription = "target_description", score, topk
        case inputShape = "input_shape", mapShape = "map_shape", attributionShape = "attribution_shape"
        case seconds, model, input, label, attentionWeights = "attention_weights"
        case validFrames = "valid_frames", jointImportance = "joint_importance"
        case freezeFramePredictions = "freeze_frame_predictions", convergenceDelta = "convergence_delta"
        case relevanceAbsorbed = "relevance_absorbed", attentionMaps = "attention_maps"
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        let samples = inputShape[0]
        func perSample<T: Encodable>(_ values: [T], as key: CodingKeys) throws {
            if samples == 1 { try container.encode(values[0], forKey: key) } else { try container.encode(values, forKey: key) }
        }
        try container.encode(explanation.method.rawValue, forKey: .method)
        try container.encode(explanation.layer, forKey: .layer)
        try perSample(explanation.targetClasses ?? Array(repeating: nil as Int?, count: samples), as: .target)
        try container.encode(explanation.targetDescription, forKey: .targetDescription)
        try perSample(explanation.scores, as: .score)
        if explanation.topK.isEmpty {
            try container.encode([Explanation.ClassScore](), forKey: .topk)
        } else {
            try perSample(explanation.topK, as: .topk)
        }
        try container.encode(inputShape, forKey: .inputShape)
        try container.encode(explanation.map.shape, forKey: .mapShape)
        try container.encode(explanation.attribution.shape, forKey: .attributionShape)
        try container.encode(explanation.seconds, forKey: .seconds)
        try container.encode(model, forKey: .model)
        try container.encode(input, forKey: .input)
        try container.encodeIfPresent(label, forKey: .label)
        if let weights = explanation.attentionWeights {
            let frames = weights.shape[1]
            let rows = (0..<samples).map { Array(weights.scalars[($0 * frames)..<(($0 + 1) * frames)]) }
            try perSample(rows, as: .attentionWeights)
        }
        if let split = explanation.freezeFrames {
            try perSample(split.freezeFramePredictions, as: .freezeFramePredictions)
        }
        if let delta = explanation.convergenceDelta {
            try perSample(delta, as: .convergenceDelta)
        }
        if let absorbed = explanation.relevanceAbsorbed {
            try perSample(absorbed, as: .relevanceAbsorbed)
        }
        try container.encodeIfPresent(explanation.attentionMaps, forKey: .attentionMaps)
        if let skeleton {
            try perSample(skeleton.validFrames, as: .validFrames)
            try perSample(skeleton.jointImportance, as: .jointImportance)
        }
    }
}
