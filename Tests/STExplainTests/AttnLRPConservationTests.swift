import Foundation
import Testing
import STCore
import STIO
import STModels
import TestSupport
@testable import STExplain

/// LRP on the built-in video transformer (the tiny joint and divided parity models) with every
/// constant term — biases, class token, position embeddings — set to zero. Holding attention
/// fixed (CP-LRP, the standard ε composite) then conserves the score; AttnLRP's ε, layer-norm,
/// identity and uniform rules conserve too, but its softmax rule R_x,i = x_i·(R_i − s_i·Σ_j R_j)
/// keeps the bias term of its Taylor expansion: with untrained, nearly uniform attention the
/// scores x are small and most of the half of each A·V relevance that the uniform rule gives A
/// does not come out of the softmax. `relevanceAbsorbed` reports it (about half the score here).
@Suite struct AttnLRPConservationTests {
    /// Biases, the class token and the position embeddings: terms added to the signal that hold
    /// relevance of their own.
    static func isConstantTerm(_ name: String) -> Bool {
        name.hasSuffix(".bias") || name == "cls_token" || name == "pos_embed"
    }

    func biasFree(_ attention: String) throws -> (ExplainedModel, Tensor) {
        let key = "video_transformer_\(attention)"
        let checkpoint = try SafeTensors.read(path: PeerFixtures.path(key + ".safetensors"))
        let spec = try JSONDecoder().decode(ModelSpec.self, from: Data(try #require(checkpoint.metadata["stexplain.model"]).utf8))
        let architecture = try spec.makeArchitecture()
        var graph = try architecture.unfilledGraph()
        let state = checkpoint.tensors.mapValues { $0 }.reduce(into: [String: Tensor]()) { result, entry in
            result[entry.key] = Self.isConstantTerm(entry.key) ? Tensor(zeros: entry.value.shape) : entry.value
        }
        try graph.load(stateDict: state, source: key)
        return (ExplainedModel(graph: graph, description: architecture.modelDescription),
                try PeerFixtures.npy(key + "_input.npy"))
    }

    /// (attention, the share of the score AttnLRP absorbs, per sample)
    static let cases: [(String, [Float])] = [("joint", [0.514189, 0.529054]), ("divided", [0.555682, 0.627304])]

    @Test(arguments: cases)
    func withoutConstantTermsCPLRPConservesAndAttnLRPReportsTheSoftmaxRulesShare(attention: String, shares: [Float]) throws {
        let (model, input) = try biasFree(attention)
        let fixed = try explain(input, model: model, explainer: LRPExplainer(composite: .uniform(EpsilonRule())))
        let attn = try explain(input, model: model, explainer: LRPExplainer.attnLRP)
        let (held, absorbed) = (try #require(fixed.relevanceAbsorbed), try #require(attn.relevanceAbsorbed))
        for n in 0..<input.shape[0] {
            let score = attn.scores[n]
            #expect(abs(held[n]) <= 1e-4 * abs(score), "CP-LRP sample \(n): y = \(score), absorbed \(held[n])")
            let total = attn.attribution.scalars[(n * input.count / input.shape[0])...].prefix(input.count / input.shape[0]).reduce(0, +)
            #expect(abs(absorbed[n] - (score - total)) <= 1e-5 * abs(score))
            #expect(abs(absorbed[n] / score - shares[n]) <= 1e-3, "AttnLRP sample \(n): absorbed \(absorbed[n] / score) of y")
        }
    }
}
