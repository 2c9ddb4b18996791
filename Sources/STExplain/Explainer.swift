import Foundation
import STCore

/// A method that explains a batch of inputs (Captum's `attribute`).
public protocol Explainer: Sendable {
    var method: Method { get }
    /// Explains every sample of `input` (N × …) for `target`.
    func explain(_ input: Tensor, model: ExplainedModel, target: Target, options: ExplainOptions) throws -> Explanation
}

extension Method {
    /// The explainer implementing this method.
    public var explainer: any Explainer {
        if let weighting = camWeighting { return CAMExplainer(weighting: weighting) }
        switch self {
        case .saliency: return InputGradientExplainer(method: .saliency)
        case .guidedBackprop: return InputGradientExplainer(method: .guidedBackprop)
        case .deconvnet: return InputGradientExplainer(method: .deconvnet)
        case .guidedGradcam: return GuidedGradCAMExplainer()
        case .integratedGradients: return IntegratedGradientsExplainer()
        case .smoothgrad: return SmoothGradExplainer()
        case .lrp: return LRPExplainer()
        case .lrpSpatioTemporal: return SpatioTemporalLRPExplainer()
        default: return OcclusionExplainer()
        }
    }
}

/// Explains `input` with `method`: the one entry point of the library (DESIGN §4).
///
/// `source` names the input in error messages (a file name on the command line).
public func explain(_ input: Tensor, model: ExplainedModel, method: Method, target: Target = .topClass,
                    options: ExplainOptions = ExplainOptions(), source: String = "input") throws -> Explanation {
    try model.validate(input: input, source: source)
    return try method.explainer.explain(input, model: model, target: target, options: options)
}

/// Explains `input` with each of `methods`, in that order. The methods that need no more than a
/// forward pass and reverse passes (CAM family, saliency, guided backprop, deconvnet, guided
/// Grad-CAM) share one forward pass and every reverse pass they have in common; the others run
/// their own passes. Each explanation's `seconds` counts the shared forward pass once.
public func explain(_ input: Tensor, model: ExplainedModel, methods: [Method], target: Target = .topClass,
                    options: ExplainOptions = ExplainOptions(), source: String = "input") throws -> [Explanation] {
    try model.validate(input: input, source: source)
    let sharing = methods.compactMap { $0.explainer as? any SharedPassExplainer }
    let layers = try sharing.flatMap { try $0.observedLayers(model: model, options: options) }
    let floors = try sharing.map { try $0.gradientLayers(model: model, options: options) }
    let gradientsFrom = floors.contains { $0 == nil } ? nil : Array(Set(floors.flatMap { $0 ?? [] }))
    let pass = sharing.isEmpty ? nil : try SharedPass(input, model: model, observing: Array(Set(layers)),
                                                      gradientsFrom: gradientsFrom, target: target)
    return try methods.map { method in
        if let explainer = method.explainer as? any SharedPassExplainer, let pass {
            return try explainer.explain(pass, options: options)
        }
        return try method.explainer.explain(input, model: model, target: target, options: options)
    }
}

extension Explanation {
    /// Assembles an explanation from a method's parts; top-k and attention are read off `trace`.
    init(method: Method, layer: String?, map: Tensor, attribution: Tensor, target: ResolvedTarget,
         trace: Trace, model: ExplainedModel, options: ExplainOptions, started: Date) throws {
        self.method = method
        self.layer = layer
        self.map = map
        self.attribution = attribution
        targetClasses = target.classes
        targetDescription = target.description
        scores = target.scores
        topK = Self.topK(of: trace.output, task: model.task, count: options.topK)
        attentionWeights = try model.attentionNode.map { try trace.activation($0).plain() }
        freezeFrames = nil
        seconds = Date().timeIntervalSince(started)
    }

    /// The same explanation under another method name with the spatial/temporal split attached,
    /// timed from `started`.
    func with(method: Method, split: FreezeFrameDecomposition, started: Date) -> Explanation {
        Explanation(method: method, layer: layer, map: map, attribution: attribution, targetClasses: targetClasses,
                    targetDescription: targetDescription, scores: scores, topK: topK, attentionWeights: attentionWeights,
                    freezeFrames: split, seconds: Date().timeIntervalSince(started))
    }

    /// The `count` best classes of each row of an N × K output, with softmax probabilities.
    static func topK(of output: Tensor, task: ModelDescription.Task, count: Int) -> [[ClassScore]] {
        guard case .classification = task, output.rank == 2 else { return [] }
        let width = output.shape[1]
        let scores = output.plain().scalars
        let probabilities = Softmax.rows(scores, width: width)
        return (0..<output.shape[0]).map { n in
            (0..<width).sorted { scores[n * width + $0] > scores[n * width + $1] }.prefix(count).map {
                ClassScore(class: $0, score: scores[n * width + $0], probability: probabilities[n * width + $0])
            }
        }
    }
}
