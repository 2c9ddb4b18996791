import Foundation
import STCore

/// `transformer-attribution` (Chefer, Gur & Wolf 2021, "Transformer Interpretability Beyond
/// Attention Visualization"): attention weighted by both its gradient and its LRP relevance,
/// rolled out with the residual as the identity. Per attention map, with ∇A = ∂y_target/∂A and
/// R_A the relevance reaching A (LRP from the target's one-hot with `LRPComposite.cheferRelevance`:
/// z⁺ for linear layers, identity through layer norm, GELU and softmax, matrix products halved),
///
///     Ā = E_h[(∇A ⊙ R_A)⁺],   R ← R + Ā·R   (R = I before the first block)
///
/// and the map is the class token's row of R over the token grid (the mean of its rows without a
/// class token): (N, T′, H′, W′) or (N, H′, W′). Divided space-time attention contributes both
/// of its maps, each within its groups (`AttentionLayout`).
public struct TransformerAttributionExplainer: Explainer {
    public var method: Method { .transformerAttribution }

    public init() {}

    public func explain(_ input: Tensor, model: ExplainedModel, target: Target) throws -> Explanation {
        let started = Date()
        let nodes = try AttentionSites.nodes(in: model.graph, method: method)
        let trace = try model.graph.forward(input, options: ForwardOptions(observe: nil, differentiable: true))
        let resolved = try target.resolve(in: trace, model: model)
        let flow = try AttentionFlow(model: model, trace: trace, nodes: nodes, samples: input.shape[0], method: method)
        let objective = try resolved.objective(Array(0..<input.shape[0]))
        let gradients = try trace.gradient(of: objective, at: flow.nodes)
        let top = objective.node ?? model.graph.output
        let relevance = try LRP(composite: .cheferRelevance).relevance(at: Set(flow.nodes), trace: trace,
                                                                      start: try objective.seed(trace.activation(top)),
                                                                      from: top)
        let relevanceMaps = flow.nodes.map { relevance[$0]?.plain() }
        let map = flow.rollOut(matrix: { b, n, g, gradientHeads in
            let layout = flow.layouts[b]
            let size = layout.length * layout.length
            var a = [Float](repeating: 0, count: size)
            relevanceMaps[b]?.withUnsafeBufferPointer { relevance in
                let relevanceHeads = layout.headMatrices(relevance, sample: n, group: g)
                let scale = 1 / Float(layout.heads)
                a.withUnsafeMutableBufferPointer { a in
                    for head in 0..<layout.heads {
                        let offset = head * size
                        for i in 0..<size { a[i] += max(0, gradientHeads[offset + i] * relevanceHeads[offset + i]) * scale }
                    }
                }
            }
            for i in 0..<layout.length { a[i * layout.length + i] += 1 }
            return a
        }, maps: flow.nodes.map { gradients[$0]! }, lessIdentity: true)
        let attribution = try MapUpsampling.toInput(map, inputShape: input.shape, kind: model.inputKind)
        return try Explanation(method: method, layer: nil, map: map, attribution: attribution, target: resolved,
                               trace: trace, model: model, started: started, attentionMaps: flow.nodes)
    }
}
