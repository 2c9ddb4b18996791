import Foundation
import STCore

/// Methods that read one reverse pass down to the input, differing only in how ReLUs pass the
/// gradient back:
/// - saliency (Simonyan et al. 2014): |∂y/∂x|, map = max over channels;
/// - guided backpropagation (Springenberg et al. 2015): ReLU passes g·[x > 0]·[g > 0];
/// - deconvnet (Zeiler & Fergus 2014): ReLU passes g·[g > 0].
/// The attribution keeps the input's shape (Captum's `Saliency`, `GuidedBackprop`, `Deconvolution`).
struct InputGradientExplainer: Explainer {
    let method: Method

    var reluMode: ReLUBackward {
        switch method {
        case .guidedBackprop: .guided
        case .deconvnet: .deconvnet
        default: .exact
        }
    }

    func explain(_ input: Tensor, model: ExplainedModel, target: Target, options: ExplainOptions) throws -> Explanation {
        let started = Date()
        let trace = try model.forward(input)
        let resolved = try target.resolve(in: trace, model: model)
        var attribution = try Self.inputGradient(trace: trace, model: model, target: resolved, reluMode: reluMode)
        if method == .saliency { attribution = Tensor(shape: attribution.shape, scalars: attribution.scalars.map(abs)) }
        return try Explanation(method: method, layer: nil,
                               map: ChannelReduction.maxAbsolute.reduce(attribution, kind: model.inputKind),
                               attribution: attribution, target: resolved, trace: trace, model: model,
                               options: options, started: started)
    }

    /// ∂target/∂input for every sample of a differentiable trace.
    static func inputGradient(trace: Trace, model: ExplainedModel, target: ResolvedTarget,
                              reluMode: ReLUBackward) throws -> Tensor {
        let objective = try target.objective(Array(0..<trace.output.shape[0]))
        return try trace.gradient(of: objective, at: [model.inputName], reluMode: reluMode)[model.inputName]!.plain()
    }
}
