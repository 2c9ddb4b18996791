import Testing
import STCore
import STExplain
@testable import STMetrics

/// The evaluator on a classifier whose every number can be followed by hand:
///
///     y = W · flatten(x),   x: N × 1 × 2 × 2,   W = [[1, 0, 0, 0], [0, 0, 0, 1]]
///
/// so y₀ is pixel 0 and y₁ is pixel 3. Saliency |∂y_c/∂x| is 1 on the class's pixel, 0 elsewhere.
/// Sample a = [2, 0, 0, 1] (label 0, y = (2, 1)) and sample b = [0, 0, 0, 3] (label 1, y = (0, 3))
/// are both classified correctly.
@Suite struct EvaluatorTests {
    let inputs = Tensor(shape: [2, 1, 2, 2], scalars: [2, 0, 0, 1, 0, 0, 0, 3])
    let labels = [0, 1]
    let masks = Tensor(shape: [2, 2, 2], scalars: [1, 0, 0, 0, 0, 0, 0, 1])

    func model() throws -> ExplainedModel {
        var builder = GraphBuilder(shape: [1, 1, 2, 2])
        try builder.add("flatten", Flatten(startDim: 1), inputs: ["input"])
        try builder.add("fc", Linear(), inputs: ["flatten"],
                        parameters: ["weight": Tensor(shape: [2, 4], scalars: [1, 0, 0, 0, 0, 0, 0, 1]),
                                     "bias": Tensor(zeros: [2])])
        return ExplainedModel(graph: try builder.build(output: "fc"),
                              description: ModelDescription(inputKind: .image, defaultLayer: "flatten",
                                                            task: .classification(classes: 2)))
    }

    func evaluate(_ metrics: [Metric], rows: Range<Int> = 0..<2) throws -> MethodScores {
        var settings = EvaluationSettings(metrics: metrics)
        settings.fractions = [0.25]
        settings.steps = 4
        let evaluator = Evaluator(model: try model(), settings: settings)
        var scores = MethodScores(method: "saliency")
        let batch = Tensor(shape: [rows.count, 1, 2, 2], scalars: Array(inputs.scalars[(rows.lowerBound * 4)..<(rows.upperBound * 4)]))
        let batchMasks = Tensor(shape: [rows.count, 2, 2], scalars: Array(masks.scalars[(rows.lowerBound * 4)..<(rows.upperBound * 4)]))
        try evaluator.add(explainer: Method.saliency.explainer, inputs: batch, labels: Array(labels[rows]),
                          masks: batchMasks, to: &scores)
        return scores
    }

    /// 25 % of 4 pixels is one pixel. Important side: a loses pixel 0 → y = (0, 1), wrong; b loses
    /// pixel 3 → y = (0, 0), a tie read as class 0, wrong: α = 0. Non-important side: the lowest
    /// saliency (0, ties to the lower index) is pixel 1, already 0, so both stay right: α = 1.
    /// β_important = 0.25·|1 − 0|/1 = 0.25, β_non-important = 0.
    @Test func maskingAccuraciesAndBetaFollowTheRanking() throws {
        let scores = try evaluate([.masking])
        #expect(scores.accuracy == 1)
        #expect(scores.maskedAccuracy(.important, fraction: 0.25) == 0)
        #expect(scores.maskedAccuracy(.nonImportant, fraction: 0.25) == 1)
        #expect(try scores.beta(.important, fractions: [0.25]) == 0.25)
        #expect(try scores.beta(.nonImportant, fractions: [0.25]) == 0)
        #expect(scores.maskedInputs == 4)
    }

    /// Deletion of a, pixels in saliency order 0, 1, 2, 3, one per step: p₀ = softmax(2, 1)₀ =
    /// 0.7311, then (0, 1) → 0.2689 three times, then (0, 0) → 0.5. AUC = [(0.7311 + 0.2689)/2 +
    /// 0.2689 + 0.2689 + (0.2689 + 0.5)/2] / 4 = 0.35556.
    @Test func deletionCurveOfTheFirstSampleMatchesTheSoftmaxByHand() throws {
        let scores = try evaluate([.deletion], rows: 0..<1)
        let curve = try #require(scores.meanCurve("deletion"))
        let expected = [0.7311, 0.2689, 0.2689, 0.2689, 0.5]
        #expect(zip(curve, expected).allSatisfy { abs($0 - $1) < 1e-4 })
        #expect(abs((scores.mean("deletion") ?? 0) - 0.35556) < 1e-4)
    }

    /// Saliency peaks on each sample's own pixel, which is its mask: every localisation metric is 1.
    @Test func saliencyOnTheDecidingPixelLocalisesPerfectly() throws {
        let scores = try evaluate([.pointingGame, .relevanceMass, .relevanceRank, .topKIntersection, .otsuIoU])
        for metric in ["pointing-game", "relevance-mass", "relevance-rank", "top-k-intersection", "otsu-iou"] {
            #expect(scores.mean(metric) == 1, "\(metric)")
        }
    }

    /// Shards merge into the accumulator of the whole set (timings aside).
    @Test func mergedShardsEqualOneRun() throws {
        let metrics: [Metric] = [.masking, .deletion, .insertion, .pointingGame, .relevanceMass]
        var merged = try evaluate(metrics, rows: 0..<1)
        try merged.merge(try evaluate(metrics, rows: 1..<2))
        var whole = try evaluate(metrics)
        merged.explanationSeconds = 0; merged.maskingSeconds = 0
        whole.explanationSeconds = 0; whole.maskingSeconds = 0
        #expect(merged.samples == 2)
        #expect(merged.maskedCorrect == whole.maskedCorrect)
        #expect(merged.counts == whole.counts)
        for (key, value) in whole.sums { #expect(abs((merged.sums[key] ?? .nan) - value) < 1e-12, "\(key)") }
    }

    /// Randomising fc (the only weighted layer) changes the saliency map of sample a from pixel 0
    /// to wherever the random weights point; the check records one step for fc.
    @Test func randomisationRecordsEveryLayerTopDown() throws {
        let scores = try evaluate([.randomisation])
        #expect(scores.randomisation.map(\.layer) == ["fc"])
        #expect(scores.randomisation[0].samples == 2)
    }
}
