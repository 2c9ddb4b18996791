import Foundation
import STCore

/// The shared driver of the CAM family (the template pytorch-grad-cam's `BaseCAM` is): one
/// forward pass keeping the layer, one reverse pass from the target down to the layer only,
/// the method's weighting per sample (or per frame, or over persons), and upsampling.
public struct CAMExplainer: SharedPassExplainer {
    public let weighting: any CAMWeighting
    /// The layer whose activations are weighted (the model's default layer when nil).
    public var layer: String?
    public var method: Method { weighting.method }

    /// `weighting` (`GradCAM()`, `LayerCAM()`, …) at `layer`.
    public init(_ weighting: any CAMWeighting, layer: String? = nil) {
        self.weighting = weighting
        self.layer = layer
    }

    func observedLayers(model: ExplainedModel) throws -> [String] {
        [try model.resolveLayer(layer)]
    }

    func gradientLayers(model: ExplainedModel) throws -> [String]? {
        try observedLayers(model: model)
    }

    func explain(_ pass: SharedPass) throws -> Explanation {
        let started = pass.methodStart()
        let layer = try pass.model.resolveLayer(layer)
        let map = try Self.map(pass: pass, layer: layer, weighting: weighting)
        let attribution = try MapUpsampling.toInput(map, inputShape: pass.input.shape, kind: pass.model.inputKind)
        return try Explanation(method: method, layer: layer, map: map, attribution: attribution, target: pass.target,
                               trace: pass.trace, model: pass.model, started: started)
    }

    /// The raw map of `weighting` at `layer` for a pass that kept the layer. A token layer
    /// (N, L, D) or a channels-last map of a transformer is first laid out as (N, D, grid…) by the
    /// model's `TokenGrid`.
    static func map(pass: SharedPass, layer: String, weighting: any CAMWeighting) throws -> Tensor {
        var gradients = try pass.gradient(at: layer)
        var activations = try pass.trace.activation(layer)
        if let tokens = pass.model.tokenGrid {
            activations = try tokens.channelsFirst(activations, layer: layer)
            gradients = try tokens.channelsFirst(gradients, layer: layer)
        }
        let layout = try LayerLayout(activation: activations.shape, input: pass.input.shape,
                                     kind: pass.model.inputKind, layer: layer)
        return try layout.map(activations: activations, gradients: gradients, weighting: weighting)
    }
}
