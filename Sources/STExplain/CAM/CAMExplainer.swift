import Foundation
import STCore

/// The shared driver of the CAM family (the template pytorch-grad-cam's `BaseCAM` is): one
/// forward pass keeping the layer, one reverse pass from the target down to the layer only,
/// the method's weighting per sample (or per frame, or over persons), and upsampling.
struct CAMExplainer: Explainer {
    let weighting: any CAMWeighting
    var method: Method { weighting.method }

    func explain(_ input: Tensor, model: ExplainedModel, target: Target, options: ExplainOptions) throws -> Explanation {
        let started = Date()
        let layer = try model.resolveLayer(options.layer)
        let trace = try model.forward(input, observing: [layer])
        let resolved = try target.resolve(in: trace, model: model)
        let map = try Self.map(trace: trace, layer: layer, target: resolved, weighting: weighting,
                               model: model, inputShape: input.shape)
        let attribution = try MapUpsampling.toInput(map, inputShape: input.shape, kind: model.inputKind)
        return try Explanation(method: method, layer: layer, map: map, attribution: attribution, target: resolved,
                               trace: trace, model: model, options: options, started: started)
    }

    /// The raw map of `weighting` at `layer` for a trace that kept the layer.
    static func map(trace: Trace, layer: String, target: ResolvedTarget, weighting: any CAMWeighting,
                    model: ExplainedModel, inputShape: [Int]) throws -> Tensor {
        let objective = try target.objective(Array(0..<inputShape[0]))
        let gradients = try trace.gradient(of: objective, at: [layer])[layer]!
        let activations = try trace.activation(layer)
        let layout = try LayerLayout(activation: activations.shape, input: inputShape, kind: model.inputKind, layer: layer)
        return try layout.map(activations: activations, gradients: gradients, weighting: weighting)
    }
}
