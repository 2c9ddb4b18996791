import Foundation
import STCore

/// Methods that read one reverse pass down to the input, differing only in how ReLUs pass the
/// gradient back:
/// - saliency (Simonyan et al. 2014): |∂y/∂x|, map = max over channels;
/// - guided backpropagation (Springenberg et al. 2015): ReLU passes g·[x > 0]·[g > 0];
/// - deconvnet (Zeiler & Fergus 2014): ReLU passes g·[g > 0].
/// The attribution keeps the input's shape (Captum's `Saliency`, `GuidedBackprop`, `Deconvolution`).
public struct InputGradientExplainer: SharedPassExplainer {
    /// `.saliency`, `.guidedBackprop` or `.deconvnet`.
    public let method: Method

    /// The explainer of `method`, one of saliency, guided backpropagation and deconvnet.
    public init(method: Method) {
        precondition([.saliency, .guidedBackprop, .deconvnet].contains(method), "\(method) reads no input gradient alone")
        self.method = method
    }

    var reluMode: ReLUBackward {
        switch method {
        case .guidedBackprop: .guided
        case .deconvnet: .deconvnet
        default: .exact
        }
    }

    func gradientLayers(model: ExplainedModel) throws -> [String]? { nil }

    func observedLayers(model: ExplainedModel) throws -> [String] { [] }

    func explain(_ pass: SharedPass) throws -> Explanation {
        let started = pass.methodStart()
        let model = pass.model
        var attribution = try pass.gradient(at: model.inputName, reluMode: reluMode).plain()
        if method == .saliency { attribution = Tensor(shape: attribution.shape, scalars: attribution.scalars.map(abs)) }
        return try Explanation(method: method, layer: nil,
                               map: ChannelReduction.maxAbsolute.reduce(attribution, kind: model.inputKind),
                               attribution: attribution, target: pass.target, trace: pass.trace, model: model,
                               started: started)
    }
}
