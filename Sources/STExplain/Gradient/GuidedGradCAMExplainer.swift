import Foundation
import STCore

/// Guided Grad-CAM (Selvaraju et al. 2017, §3): guided backpropagation ⊙ the Grad-CAM map
/// upsampled to the input, broadcast over channels (and persons). One forward pass serves both
/// reverse passes.
public struct GuidedGradCAMExplainer: SharedPassExplainer {
    /// The Grad-CAM layer (the model's default layer when nil).
    public var layer: String?
    public var method: Method { .guidedGradcam }

    public init(layer: String? = nil) {
        self.layer = layer
    }

    func gradientLayers(model: ExplainedModel) throws -> [String]? { nil }

    func observedLayers(model: ExplainedModel) throws -> [String] {
        [try model.resolveLayer(layer)]
    }

    func explain(_ pass: SharedPass) throws -> Explanation {
        let started = pass.methodStart()
        let (model, inputShape) = (pass.model, pass.input.shape)
        let layer = try model.resolveLayer(layer)
        let camMap = try CAMExplainer.map(pass: pass, layer: layer, weighting: GradCAM())
        let cam = try MapUpsampling.toInput(camMap, inputShape: inputShape, kind: model.inputKind)
        let guided = try pass.gradient(at: model.inputName, reluMode: .guided).plain()
        let attribution = MapBroadcast.multiply(guided, by: cam, kind: model.inputKind)
        return try Explanation(method: method, layer: layer,
                               map: ChannelReduction.maxAbsolute.reduce(attribution, kind: model.inputKind),
                               attribution: attribution, target: pass.target, trace: pass.trace, model: model,
                               started: started)
    }
}
