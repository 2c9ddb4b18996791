import Foundation
import STCore

/// `lrp`: layer-wise relevance propagation with `options.composite` on the model with its batch
/// norms folded (`BatchNormFolding`), from the target's output value. The attribution has the
/// input's shape; Σ attribution ≈ the score (conservation, up to what biases and ε absorb); the
/// map sums it over channels.
struct LRPExplainer: Explainer {
    var method: Method { .lrp }

    func explain(_ input: Tensor, model: ExplainedModel, target: Target, options: ExplainOptions) throws -> Explanation {
        let started = Date()
        let graph = try BatchNormFolding.fold(model.graph)
        let trace = try graph.forward(input, options: ForwardOptions(observe: nil, differentiable: false))
        let resolved = try target.resolve(in: trace, model: model)
        let objective = try resolved.objective(Array(0..<input.shape[0]))
        let node = objective.node ?? graph.output
        let output = try trace.activation(node)
        let start = output.multiplied(by: try objective.seed(output))
        var lrp = LRP(composite: options.composite)
        lrp.averagePoolingUniform = options.averagePoolingUniform
        let relevance = try lrp.inputRelevance(trace: trace, start: start, from: node)
        return try Explanation(method: method, layer: nil, map: ChannelReduction.sum.reduce(relevance, kind: model.inputKind),
                               attribution: relevance, target: resolved, trace: trace, model: model,
                               options: options, started: started)
    }
}
