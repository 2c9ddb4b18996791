import Foundation
import STCore

/// `attention-rollout` (Abnar & Zuidema 2020): how much each token's input reaches the class
/// token through every block's attention, the residual connection counted as half of it. Per
/// attention map the heads are fused (`headFusion`: mean by default), the lowest `discardRatio`
/// of the fused weights zeroed (vit-explain's option; the class token's weight on itself is
/// kept), and
///
///     Â = (A + I) / rowsum(A + I)     (= ½A + ½I when nothing is discarded and A's rows sum to 1)
///
/// The rollout is the class token's row of Â_B ⋯ Â_1 (the mean of its rows without a class
/// token), over the token grid: map (N, T′, H′, W′) or (N, H′, W′). Divided space-time
/// attention rolls out both of its maps, each within its groups (`AttentionLayout`). The target
/// does not enter: rollout is class-agnostic.
public struct AttentionRolloutExplainer: Explainer {
    /// How the heads of an attention map become one map.
    public var headFusion: HeadFusion
    /// The fraction of each fused map's lowest weights set to 0 before the identity is added.
    public var discardRatio: Float
    public var method: Method { .attentionRollout }

    public init(headFusion: HeadFusion = .mean, discardRatio: Float = 0) {
        self.headFusion = headFusion
        self.discardRatio = discardRatio
    }

    public func explain(_ input: Tensor, model: ExplainedModel, target: Target) throws -> Explanation {
        guard (0..<1).contains(discardRatio) else {
            throw STError.invalidRequest("attention-rollout: the discard ratio must lie in [0, 1), got \(discardRatio)")
        }
        let started = Date()
        let nodes = try AttentionSites.nodes(in: model.graph, method: method)
        let trace = try model.forward(input, observing: nodes + [model.defaultLayer], differentiable: false)
        let resolved = try target.resolve(in: trace, model: model)
        let flow = try AttentionFlow(model: model, trace: trace, nodes: nodes, samples: input.shape[0], method: method)
        let maps = try flow.nodes.map { try trace.activation($0) }
        let map = flow.rollOut(matrix: { b, _, g, heads in
            let layout = flow.layouts[b]
            return rolloutMatrix(heads, layout: layout, keepsFirst: layout.groups[g][0] < flow.space.classTokens)
        }, maps: maps)
        let attribution = try MapUpsampling.toInput(map, inputShape: input.shape, kind: model.inputKind)
        return try Explanation(method: method, layer: nil, map: map, attribution: attribution, target: resolved,
                               trace: trace, model: model, started: started, attentionMaps: flow.nodes)
    }

    /// Â of one group from its heads' maps; `keepsFirst`: weight (0, 0) is a class token's on
    /// itself and is never discarded.
    func rolloutMatrix(_ heads: UnsafeBufferPointer<Float>, layout: AttentionLayout, keepsFirst: Bool) -> [Float] {
        let length = layout.length
        var a = headFusion.fuse(heads, heads: layout.heads, size: length * length)
        let discarded = Int(Float(a.count) * discardRatio)
        if discarded > 0 {
            let lowest = a.indices.sorted { a[$0] < a[$1] }.prefix(discarded)
            for index in lowest where !(keepsFirst && index == 0) { a[index] = 0 }
        }
        a.withUnsafeMutableBufferPointer { a in
            for i in 0..<length {
                let row = a.baseAddress! + i * length
                row[i] += 1
                var total: Float = 0
                for j in 0..<length { total += row[j] }
                let scale = 1 / total
                for j in 0..<length { row[j] *= scale }
            }
        }
        return a
    }
}
