import Foundation
import STCore

/// A method that explains a batch of inputs (Captum's `attribute`).
public protocol Explainer: Sendable {
    var method: Method { get }
    /// Explains every sample of `input` (N × …) for `target`, with the method's own settings.
    func explain(_ input: Tensor, model: ExplainedModel, target: Target) throws -> Explanation
}

extension Method {
    /// The explainer implementing this method with every setting at its default.
    public var explainer: any Explainer { explainer() }

    /// The explainer implementing this method at `layer` (CAM family and guided Grad-CAM), running
    /// its copies as `batching` says (integrated gradients, SmoothGrad, occlusion, lrp-st), every
    /// other setting at its default.
    public func explainer(layer: String? = nil, batching: Batching = Batching()) -> any Explainer {
        switch self {
        case .cam, .gradcam, .gradcamPlusPlus, .xgradcam, .layercam, .hirescam: CAMExplainer(camWeighting!, layer: layer)
        case .saliency, .guidedBackprop, .deconvnet: InputGradientExplainer(method: self)
        case .guidedGradcam: GuidedGradCAMExplainer(layer: layer)
        case .integratedGradients: IntegratedGradientsExplainer(batching: batching)
        case .smoothgrad: SmoothGradExplainer(batching: batching)
        case .occlusion: OcclusionExplainer(batching: batching)
        case .lrp: LRPExplainer()
        case .lrpSpatioTemporal: SpatioTemporalLRPExplainer(batching: batching)
        case .attentionRollout: AttentionRolloutExplainer()
        case .transformerAttribution: TransformerAttributionExplainer()
        case .attnlrp: LRPExplainer.attnLRP
        }
    }
}

/// Explains `input` with `explainer` (a method with its settings, as Captum's
/// `IntegratedGradients(model).attribute(x, n_steps: …)`): the one entry point of the library
/// (DESIGN §4). `source` names the input in error messages (a file name on the command line).
public func explain(_ input: Tensor, model: ExplainedModel, explainer: any Explainer, target: Target = .topClass,
                    source: String = "input") throws -> Explanation {
    try model.validate(input: input, source: source)
    return try explainer.explain(input, model: model, target: target)
}

/// Explains `input` with `method` at its default settings.
public func explain(_ input: Tensor, model: ExplainedModel, method: Method, target: Target = .topClass,
                    source: String = "input") throws -> Explanation {
    try explain(input, model: model, explainer: method.explainer, target: target, source: source)
}

/// Explains `input` with each of `explainers`, in that order. The methods that need no more than
/// a forward pass and reverse passes (CAM family, saliency, guided backprop, deconvnet, guided
/// Grad-CAM) share one forward pass and every reverse pass they have in common; the others run
/// their own passes. Each explanation's `seconds` counts the shared forward pass once.
public func explain(_ input: Tensor, model: ExplainedModel, explainers: [any Explainer], target: Target = .topClass,
                    source: String = "input") throws -> [Explanation] {
    try model.validate(input: input, source: source)
    let sharing = explainers.compactMap { $0 as? any SharedPassExplainer }
    let layers = try sharing.flatMap { try $0.observedLayers(model: model) }
    let floors = try sharing.map { try $0.gradientLayers(model: model) }
    let gradientsFrom = floors.contains { $0 == nil } ? nil : Array(Set(floors.flatMap { $0 ?? [] }))
    let pass = sharing.isEmpty ? nil : try SharedPass(input, model: model, observing: Array(Set(layers)),
                                                      gradientsFrom: gradientsFrom, target: target)
    return try explainers.map { explainer in
        if let explainer = explainer as? any SharedPassExplainer, let pass {
            return try explainer.explain(pass)
        }
        return try explainer.explain(input, model: model, target: target)
    }
}

extension Explanation {
    /// Assembles an explanation from a method's parts; top-k and attention are read off `trace`.
    init(method: Method, layer: String?, map: Tensor, attribution: Tensor, target: ResolvedTarget,
         trace: Trace, model: ExplainedModel, started: Date, convergenceDelta: [Float]? = nil,
         attentionMaps: [String]? = nil) throws {
        self.method = method
        self.layer = layer
        self.map = map
        self.attribution = attribution
        targetClasses = target.classes
        targetDescription = target.description
        scores = target.scores
        topK = Self.topK(of: trace.output, task: model.task, count: Self.topKCount)
        attentionWeights = try model.attentionNode.map { try trace.activation($0).plain() }
        freezeFrames = nil
        self.convergenceDelta = convergenceDelta
        self.attentionMaps = attentionMaps
        seconds = Date().timeIntervalSince(started)
    }

    /// The same explanation under another method name with the spatial/temporal split attached,
    /// timed from `started`.
    func with(method: Method, split: FreezeFrameDecomposition, started: Date) -> Explanation {
        Explanation(method: method, layer: layer, map: map, attribution: attribution, targetClasses: targetClasses,
                    targetDescription: targetDescription, scores: scores, topK: topK, attentionWeights: attentionWeights,
                    freezeFrames: split, convergenceDelta: convergenceDelta, attentionMaps: attentionMaps, seconds: Date().timeIntervalSince(started))
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
