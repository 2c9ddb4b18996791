import Testing
import STCore
import TestSupport
@testable import STExplain

/// The pieces of the methods that read attention, on values small enough to compute by hand:
/// rollout's per-map matrix, the token flow through joint and divided attention, AttnLRP's
/// softmax and uniform rules, and the error for a model without attention.
@Suite struct AttentionMethodTests {
    /// Two heads over a class token and one grid token.
    let heads: [Float] = [0.5, 0.5, 0.25, 0.75,
                          1, 0, 0.5, 0.5]

    func jointLayout() throws -> AttentionLayout {
        let space = TokenSpace(tokens: TokenGrid(grid: [1, 1], classTokens: 1), shapes: [])
        return try AttentionLayout(node: "softmax", shape: [1, 2, 2, 2], samples: 1, space: space)
    }

    @Test func rolloutFusesTheHeadsAndCountsTheResidualAsHalf() throws {
        // mean = [[0.75, 0.25], [0.375, 0.625]]; + I = [[1.75, 0.25], [0.375, 1.625]]; rows sum to 2.
        let layout = try jointLayout()
        #expect(layout.heads == 2 && layout.groups == [[0, 1]])
        let mean = heads.withUnsafeBufferPointer { AttentionRolloutExplainer().rolloutMatrix($0, layout: layout, keepsFirst: true) }
        expectClose(mean, [0.875, 0.125, 0.1875, 0.8125], .absolute(1e-6))
        // max = [[1, 0.5], [0.5, 0.75]]; + I, rows 2.5 and 2.25.
        let max = heads.withUnsafeBufferPointer {
            AttentionRolloutExplainer(headFusion: .max).rolloutMatrix($0, layout: layout, keepsFirst: true)
        }
        expectClose(max, [0.8, 0.2, 0.5 / 2.25, 1.75 / 2.25], .absolute(1e-6))
        // Discarding half of a map zeroes its two lowest weights, except a class token's weight on
        // itself (vit-explain): mean [[0.1, 0.9], [0.6, 0.4]] loses 0.4 and keeps 0.1.
        let low: [Float] = [0.1, 0.9, 0.6, 0.4, 0.1, 0.9, 0.6, 0.4]
        let discarding = AttentionRolloutExplainer(discardRatio: 0.5)
        expectClose(low.withUnsafeBufferPointer { discarding.rolloutMatrix($0, layout: layout, keepsFirst: true) }, [0.55, 0.45, 0.375, 0.625],
                    .absolute(1e-6))
        expectClose(low.withUnsafeBufferPointer { discarding.rolloutMatrix($0, layout: layout, keepsFirst: false) },
                    [1 / 1.9, 0.9 / 1.9, 0.375, 0.625], .absolute(1e-6))
    }

    @Test func dividedAttentionMovesRelevanceWithinFramesAndAveragesTheClassTokenCopies() throws {
        // Grid 2 frames × 1 × 2 positions, one class token: tokens [cls, (0,0), (0,1), (1,0), (1,1)].
        let space = TokenSpace(tokens: TokenGrid(grid: [2, 1, 2], classTokens: 1), shapes: [])
        let spatial = try AttentionLayout(node: "spatial", shape: [2, 1, 3, 3], samples: 1, space: space)
        #expect(spatial.groups == [[0, 1, 2], [0, 3, 4]] && spatial.membership == [2, 1, 1, 1, 1])
        let matrices: [[Float]] = [[0.5, 0.25, 0.25, 0, 1, 0, 0, 0, 1], [1, 0, 0, 0, 1, 0, 0.5, 0, 0.5]]
        // The class token's row is the mean of its rows in the two frames.
        expectClose(spatial.propagate([1, 0, 0, 0, 0]) { matrices[$0] }.map(Float.init), [0.75, 0.125, 0.125, 0, 0], .absolute(1e-6))
        expectClose(spatial.propagate([0, 0, 0, 0, 1]) { matrices[$0] }.map(Float.init), [0.5, 0, 0, 0, 0.5], .absolute(1e-6))

        // Temporal attention groups each position's frames and leaves the class token alone.
        let temporal = try AttentionLayout(node: "temporal", shape: [2, 1, 2, 2], samples: 1, space: space)
        #expect(temporal.groups == [[1, 3], [2, 4]] && temporal.membership == [0, 1, 1, 1, 1])
        let swap: [Float] = [0, 1, 1, 0]
        expectClose(temporal.propagate([1, 2, 3, 4, 5]) { _ in swap }.map(Float.init), [1, 4, 5, 2, 3], .absolute(1e-6))
    }

    @Test func aMapThatFitsNeitherKindOfAttentionNamesItsShapeAndTheGrid() throws {
        let space = TokenSpace(tokens: TokenGrid(grid: [2, 2, 2]), shapes: [[1, 2, 9, 9]])
        expectError(.invalidRequest, mentioning: "attention 'pooled' of shape [1, 2, 9, 5]", "2×2×2 with 1 class token",
                    "of a hierarchical model, the last stage's maps") {
            try AttentionLayout(node: "pooled", shape: [1, 2, 9, 5], samples: 1, space: space)
        }
    }

    @Test func cheferSumRuleSplitsEachSamplesRelevanceByTheBranchesAbsoluteTotals() {
        // Sample 0: R = (1, 1), shares a = (3, −1) (Σ 2), b = (−2, 2) (Σ 0): b's total is 0, so a
        // takes all of ΣR = 2: a·(|2|/(2 + 0))·2/2 = (3, −1), b·0 = (0, 0).
        // Sample 1: R = (2, 0), a = (1, 1) (Σ 2), b = (−3, 0) (Σ −3): a gets 2/5 of 2 = 0.8,
        // a·0.8/2 = (0.4, 0.4); b gets 3/5 of 2 = 1.2, b·1.2/(−3) = (1.2, 0).
        let relevance = Tensor(shape: [2, 2], scalars: [1, 1, 2, 0])
        let (a, b) = NormalisedSum.rescaled(Tensor(shape: [2, 2], scalars: [3, -1, 1, 1]),
                                            Tensor(shape: [2, 2], scalars: [-2, 2, -3, 0]), relevance: relevance)
        expectClose(a.scalars, [3, -1, 0.4, 0.4], .absolute(1e-6))
        expectClose(b.scalars, [0, 0, 1.2, 0], .absolute(1e-6))
        // Each sample's relevance is conserved: 2 = 3 − 1 + 0, 2 = 0.8 + 1.2.
        #expect(abs(a.scalars[0] + a.scalars[1] + b.scalars[0] + b.scalars[1] - 2) < 1e-6)
        #expect(abs(a.scalars[2] + a.scalars[3] + b.scalars[2] + b.scalars[3] - 2) < 1e-6)
    }

    @Test func attnLRPSoftmaxRuleSubtractsTheOutputsShareOfTheTotal() {
        // x = (1, 2): s = (0.268941, 0.731059); R = (0.5, 1), Σ R = 1.5:
        // R_x = x ⊙ (R − 1.5·s) = (0.096588, −0.193177).
        let input = Tensor(shape: [1, 2], scalars: [1, 2])
        let output = Tensor(shape: [1, 2], scalars: [0.268941, 0.731059])
        let relevance = SoftmaxRelevance.inputRelevance(input: input, output: output,
                                                        relevance: Tensor(shape: [1, 2], scalars: [0.5, 1]), axis: 1)
        expectClose(relevance.scalars, [0.096588, -0.193177], .absolute(1e-5))
    }

    /// x (1, 2, 3) → x·xᵀ (1, 2, 2) → flatten → fc without bias.
    func bilinearModel() throws -> ExplainedModel {
        var builder = GraphBuilder(shape: [1, 2, 3])
        try builder.add("transposed", Permute([0, 2, 1]), inputs: ["input"])
        try builder.add("product", MatMul(), inputs: ["input", "transposed"])
        try builder.add("flatten", Flatten(startDim: 1), inputs: ["product"])
        try builder.add("fc", Linear(bias: false), inputs: ["flatten"],
                        parameters: ["weight": Tensor(shape: [2, 4], scalars: [1, -0.5, 0.25, 2, 0.5, 1, -1, 0.75])])
        return ExplainedModel(graph: try builder.build(output: "fc"),
                              description: ModelDescription(inputKind: .image, defaultLayer: "product",
                                                            task: .classification(classes: 2)))
    }

    @Test func attnLRPSharesABilinearProductUniformlyAndConserves() throws {
        // Without biases, the ε rule of the fc and the uniform rule of x·xᵀ (half through each
        // operand, both x) conserve: Σ R_x = y_target.
        let input = Tensor(shape: [1, 2, 3], scalars: [0.5, 1, -0.25, 0.75, 0.2, 1.5])
        let explanation = try explain(input, model: try bilinearModel(), explainer: LRPExplainer.attnLRP)
        #expect(explanation.method == .attnlrp)
        let total = explanation.attribution.scalars.reduce(0, +)
        #expect(abs(total - explanation.scores[0]) < 1e-4 * abs(explanation.scores[0]), "Σ R = \(total), y = \(explanation.scores[0])")
    }

    @Test func methodsReadingAttentionNameWhatTheModelLacks() throws {
        for method in [Method.attentionRollout, .transformerAttribution] {
            expectError(.invalidRequest, mentioning: "\(method.rawValue) reads a transformer's attention maps") {
                try explain(Tensor(shape: [1, 2, 3], scalars: [1, 2, 3, 4, 5, 6]), model: try bilinearModel(), method: method)
            }
        }
    }
}
