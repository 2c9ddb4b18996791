import Foundation
import STCore
import STExplain

/// Explains batches of labelled inputs with one method and scores the explanations with every
/// metric of `settings`, adding the results to a `MethodScores`.
///
/// The maps scored are the ones at input resolution without channels: a CAM method's
/// `attribution` ((N, T, H, W), (N, H, W) or (N, T, V)), the channel-reduced `map` of the others.
/// Masked, deleted and inserted copies go through the model `settings.batchSize` at a time, never
/// one forward per copy.
public struct Evaluator: Sendable {
    public let model: ExplainedModel
    public let settings: EvaluationSettings

    public init(model: ExplainedModel, settings: EvaluationSettings) {
        self.model = model
        self.settings = settings
    }

    /// The perturbation unit in use for this model.
    public var unit: PerturbationUnit { settings.unit ?? .defaultUnit(for: model.inputKind) }

    /// Explains `inputs` (N, …) for their `labels` with `explainer` and adds every metric.
    /// - Parameters:
    ///   - masks: ground truth at input resolution without channels ((N, T, H, W) for clips,
    ///     (N, T, V, M) or (N, T, V) for skeletons); localisation metrics are skipped without it.
    ///   - maskingScores: position scores that replace the explanation's own in masking,
    ///     deletion and insertion, e.g. seed 000's per-class ψ_c for each sample's class (N, V).
    public func add(explainer: any Explainer, inputs: Tensor, labels: [Int], masks: Tensor? = nil,
                    maskingScores: Tensor? = nil, to scores: inout MethodScores) throws {
        let explanation = try explain(inputs, model: model, explainer: explainer, target: .classIndices(labels))
        scores.explanationSeconds += explanation.seconds
        let maps = Self.maps(of: explanation)
        // α₀'s numerator from the explanation's own forward pass on the unmasked inputs (its top class).
        scores.correct += zip(explanation.topK, labels).filter { $0.first?.class == $1 }.count
        if let masks { try addLocalisation(maps: maps, masks: masks, to: &scores) }
        let positionScores = maskingScores ?? unit.scores(from: maps, input: inputs)
        let axes = try unit.axes(for: model.inputKind)
        let baseline = try settings.baseline.baseline(for: inputs, kind: model.inputKind)
        if settings.metrics.contains(.masking) {
            try addMasking(inputs: inputs, labels: labels, positionScores: positionScores, axes: axes, baseline: baseline, to: &scores)
        }
        for (metric, mode) in [(Metric.deletion, DeletionInsertion.Mode.deletion), (.insertion, .insertion)]
        where settings.metrics.contains(metric) {
            let curve = try DeletionInsertion(mode, input: inputs, maps: positionScores, axes: axes, steps: settings.steps, baseline: baseline)
            let curves = try curve.curves { batch in
                try ModelOutputs(model: model, inputs: batch, batchSize: settings.batchSize).probabilities(of: labels).map(Double.init)
            }
            scores.add(try curves.map(DeletionInsertion.areaUnderCurve), to: metric.rawValue)
            scores.add(curves: curves, to: metric.rawValue)
        }
        let checked = max(0, min(settings.sanitySamples - (scores.counts[Metric.sensitivity.rawValue] ?? 0), inputs.shape[0]))
        let sanityCheckedBefore = scores.randomisation.first?.samples ?? 0
        if settings.metrics.contains(.sensitivity), checked > 0 {
            let subset = Self.rows(inputs, count: checked)
            let subsetLabels = Array(labels.prefix(checked))
            scores.add(try MaxSensitivity.sensitivity(of: { noisy in
                try explainedMaps(explainer: explainer, inputs: noisy, labels: subsetLabels)
            }, at: subset, radius: settings.sensitivityRadius, samples: settings.sensitivityDraws, seed: settings.seed), to: Metric.sensitivity.rawValue)
        }
        let randomised = max(0, min(settings.sanitySamples - sanityCheckedBefore, inputs.shape[0]))
        if settings.metrics.contains(.randomisation), randomised > 0 {
            try addRandomisation(explainer: explainer, inputs: Self.rows(inputs, count: randomised),
                                 labels: Array(labels.prefix(randomised)), maps: Self.rows(maps, count: randomised), to: &scores)
        }
        scores.samples += inputs.shape[0]
    }

    /// The maps of explaining `inputs` for `labels` with `explainer`.
    func explainedMaps(explainer: any Explainer, inputs: Tensor, labels: [Int]) throws -> Tensor {
        Self.maps(of: try explain(inputs, model: model, explainer: explainer, target: .classIndices(labels)))
    }

    /// An explanation's maps at input resolution without channels.
    static func maps(of explanation: Explanation) -> Tensor {
        explanation.method.hasFeatureResolutionMap ? explanation.attribution : explanation.map
    }

    /// Pointing game, relevance mass and rank accuracy, top-k intersection and Otsu IoU.
    private func addLocalisation(maps: Tensor, masks: Tensor, to scores: inout MethodScores) throws {
        let truth = try Self.groundTruth(masks, like: maps)
        let metrics = settings.metrics
        if metrics.contains(.pointingGame) {
            let hits = try PointingGame.hits(maps: maps, masks: truth, tolerance: settings.pointingTolerance)
            scores.add(hits.map { $0 ? 1 : 0 }, to: Metric.pointingGame.rawValue)
        }
        if metrics.contains(.relevanceMass) {
            scores.add(try Localisation.relevanceMassAccuracy(maps: maps, masks: truth), to: Metric.relevanceMass.rawValue)
        }
        if metrics.contains(.relevanceRank) {
            scores.add(try Localisation.relevanceRankAccuracy(maps: maps, masks: truth), to: Metric.relevanceRank.rawValue)
        }
        if metrics.contains(.topKIntersection) {
            let meanMask = Int((Double(truth.scalars.filter { $0 > 0 }.count) / Double(truth.shape[0])).rounded())
            let k = min(max(settings.topK ?? meanMask, 1), truth.count / truth.shape[0])
            scores.add(try Localisation.topKIntersection(maps: maps, masks: truth, k: k), to: Metric.topKIntersection.rawValue)
        }
        if metrics.contains(.otsuIoU) {
            scores.add(try Localisation.otsuIntersectionOverUnion(maps: maps, masks: truth), to: Metric.otsuIoU.rawValue)
        }
    }

    /// Masks every fraction on both sides, all copies scored in batches.
    private func addMasking(inputs: Tensor, labels: [Int], positionScores: Tensor, axes: [Int], baseline: MaskingBaseline,
                            to scores: inout MethodScores) throws {
        let start = Date()
        let keys = MaskingSide.allCases.flatMap { side in settings.fractions.map { MaskingKey(side: side, fraction: $0) } }
        var copies: [Tensor] = []
        for key in keys {
            copies.append(try MaskingFaithfulness.masked(inputs, maps: positionScores, axes: axes, fraction: key.fraction,
                                                         side: key.side, baseline: baseline))
        }
        let outputs = try ModelOutputs(model: model, inputs: Self.concatenated(copies), batchSize: settings.batchSize)
        let predicted = outputs.predictedClasses
        let samples = labels.count
        for (k, key) in keys.enumerated() {
            let correct = (0..<samples).filter { predicted[k * samples + $0] == labels[$0] }.count
            scores.maskedCorrect[key.name, default: 0] += correct
        }
        scores.maskingSeconds += Date().timeIntervalSince(start)
        scores.maskedInputs += keys.count * samples
    }

    /// Explains the samples again under each randomisation step and compares the maps with the
    /// trained model's: Spearman ρ over all positions, and SSIM of min–max normalised maps
    /// (mean over frames) where the maps are at least 7 × 7.
    private func addRandomisation(explainer: any Explainer, inputs: Tensor, labels: [Int], maps: Tensor,
                                  to scores: inout MethodScores) throws {
        let layers = ParameterRandomisation.layers(of: model.graph)
        let steps = ParameterRandomisation.steps(settings.randomisation, layers: layers)
        if scores.randomisation.isEmpty {
            scores.randomisation = layers.map { MethodScores.RandomisationStep(layer: $0) }
        }
        let reference = Self.minMaxNormalised(maps)
        for (index, randomisedLayers) in steps.enumerated() {
            var randomisedModel = model
            randomisedModel.graph = try ParameterRandomisation.randomised(model.graph, layers: randomisedLayers, seed: settings.seed)
            let after = try Evaluator(model: randomisedModel, settings: settings)
                .explainedMaps(explainer: explainer, inputs: inputs, labels: labels)
            scores.randomisation[index].spearmanSum += try RankCorrelation.spearman(maps, after).reduce(0, +)
            let (height, width) = (maps.shape[maps.rank - 2], maps.shape[maps.rank - 1])
            if min(height, width) >= 7 {
                let perFrame = try SSIM.similarity(reference, Self.minMaxNormalised(after), dataRange: 1)
                let framesPerSample = perFrame.count / labels.count
                scores.randomisation[index].ssimSum += perFrame.reduce(0, +) / Double(framesPerSample)
            }
            scores.randomisation[index].samples += labels.count
        }
    }

    /// Ground truth brought to the maps' shape: skeleton masks (N, T, V, M) reduced over persons by max.
    static func groundTruth(_ masks: Tensor, like maps: Tensor) throws -> Tensor {
        if masks.shape == maps.shape { return masks }
        guard masks.rank == maps.rank + 1, Array(masks.shape.dropLast()) == maps.shape else {
            throw STError.invalidRequest("ground truth \(masks.shape) does not match maps \(maps.shape)")
        }
        let persons = masks.shape[masks.rank - 1]
        let values = masks.plain().scalars
        return Tensor(shape: maps.shape, scalars: (0..<maps.count).map { i in
            values[(i * persons)..<((i + 1) * persons)].max() ?? 0
        })
    }

    /// Each sample's map scaled to [0, 1] (a constant map becomes zeros).
    static func minMaxNormalised(_ maps: Tensor) -> Tensor {
        let size = maps.count / maps.shape[0]
        let values = maps.plain().scalars
        var result = values
        for n in 0..<maps.shape[0] {
            let range = (n * size)..<((n + 1) * size)
            let (low, high) = (values[range].min() ?? 0, values[range].max() ?? 0)
            for i in range { result[i] = high > low ? (values[i] - low) / (high - low) : 0 }
        }
        return Tensor(shape: maps.shape, scalars: result)
    }

    /// The first `count` samples of a batch.
    static func rows(_ tensor: Tensor, count: Int) -> Tensor {
        let size = tensor.count / tensor.shape[0]
        return Tensor(shape: [count] + tensor.shape.dropFirst(), scalars: Array(tensor.plain().scalars.prefix(count * size)))
    }

    /// Batches of one row shape stacked along axis 0.
    static func concatenated(_ batches: [Tensor]) -> Tensor {
        Tensor(shape: [batches.map { $0.shape[0] }.reduce(0, +)] + batches[0].shape.dropFirst(),
               scalars: batches.flatMap { $0.plain().scalars })
    }
}
