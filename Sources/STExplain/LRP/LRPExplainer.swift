import Foundation
import STCore

/// `lrp`: layer-wise relevance propagation with `composite` on the model with its batch norms
/// folded (`BatchNormFolding`), from the target's output value. The attribution has the input's
/// shape; Σ attribution ≈ the score (conservation, up to what biases and ε absorb); the map sums
/// it over channels.
public struct LRPExplainer: Explainer {
    /// The rules per layer (zennit's EpsilonPlus by default; `averagingUniformly()` for seed
    /// 002's uniform average pooling).
    public var composite: LRPComposite
    public let method: Method

    public init(composite: LRPComposite = .epsilonPlus) {
        self.init(composite: composite, method: .lrp)
    }

    init(composite: LRPComposite, method: Method) {
        self.composite = composite
        self.method = method
    }

    /// `attnlrp`: LRP with AttnLRP's composite (`LRPComposite.attnLRP`: the ε rule, the softmax
    /// rule and the uniform rule for attention's matrix products; Achtibat et al. 2024).
    public static let attnLRP = LRPExplainer(composite: .attnLRP, method: .attnlrp)

    public func explain(_ input: Tensor, model: ExplainedModel, target: Target) throws -> Explanation {
        let started = Date()
        let graph = try BatchNormFolding.fold(model.graph)
        let trace = try graph.forward(input, options: ForwardOptions(observe: nil, differentiable: false))
        let resolved = try target.resolve(in: trace, model: model)
        let objective = try resolved.objective(Array(0..<input.shape[0]))
        let node = objective.node ?? graph.output
        let output = try trace.activation(node)
        let start = output.multiplied(by: try objective.seed(output))
        let lrp = LRP(composite: composite)
        let relevance = try lrp.inputRelevance(trace: trace, start: start, from: node)
        return try Explanation(method: method, layer: nil, map: ChannelReduction.sum.reduce(relevance, kind: model.inputKind),
                               attribution: relevance, target: resolved, trace: trace, model: model,
                               started: started)
    }
}
