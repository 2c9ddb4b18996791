import Foundation
import STCore

/// Guided Grad-CAM (Selvaraju et al. 2017, §3): guided backpropagation ⊙ the Grad-CAM map
/// upsampled to the input, broadcast over channels (and persons). One forward pass serves both
/// reverse passes.
struct GuidedGradCAMExplainer: Explainer {
    var method: Method { .guidedGradcam }

    func explain(_ input: Tensor, model: ExplainedModel, target: Target, options: ExplainOptions) throws -> Explanation {
        let started = Date()
        let layer = try model.resolveLayer(options.layer)
        let trace = try model.forward(input, observing: [layer])
        let resolved = try target.resolve(in: trace, model: model)
        let camMap = try CAMExplainer.map(trace: trace, layer: layer, target: resolved, weighting: GradCAM(),
                                          model: model, inputShape: input.shape)
        let cam = try MapUpsampling.toInput(camMap, inputShape: input.shape, kind: model.inputKind)
        let guided = try InputGradientExplainer.inputGradient(trace: trace, model: model, target: resolved, reluMode: .guided)
        let attribution = MapBroadcast.multiply(guided, by: cam, kind: model.inputKind)
        return try Explanation(method: method, layer: layer,
                               map: ChannelReduction.maxAbsolute.reduce(attribution, kind: model.inputKind),
                               attribution: attribution, target: resolved, trace: trace, model: model,
                               options: options, started: started)
    }
}
