import Testing
import STCore
import TestSupport
@testable import STExplain

/// LRP through the ops of vision and video transformers (AttnLRP, Achtibat et al. 2024): the ε
/// rule of layer norm's affine map with σ held constant, the identity for element-wise
/// non-linearities, hard sigmoid as a gate, and no relevance through normalisation arithmetic.
@Suite struct LRPTransformerTests {
    /// A model input → `op` (named `name`) → fc with weight `fcWeight` and no bias, for inputs (1, W).
    func model(_ op: any Op, named name: String, fcWeight: [Float]) throws -> ExplainedModel {
        var builder = GraphBuilder(shape: [1, fcWeight.count])
        try builder.add(name, op, inputs: ["input"])
        try builder.add("fc", Linear(bias: false), inputs: [name],
                        parameters: ["weight": Tensor(shape: [1, fcWeight.count], scalars: fcWeight)])
        return ExplainedModel(graph: try builder.build(output: "fc"),
                              description: ModelDescription(inputKind: .image, defaultLayer: name,
                                                            task: .classification(classes: 1)))
    }

    @Test func layerNormSharesRelevanceByItsAffineMapAtFixedSigma() throws {
        // x = (1, 2, 3, 4), weight (1, 2, 1, 2), bias (0, 0, 1, 1), ε_LN = 0: μ = 2.5, σ = √1.25 = 1.118034,
        // z = weight ⊙ (x − μ)/σ + bias = (−1.341641, −0.894427, 1.447214, 3.683282).
        // R = (1, −1, 2, 0.5), ε = 0: r = R/z = (−0.745356, 1.118034, 1.381966, 0.135748),
        // v = weight ⊙ r = (−0.745356, 2.236068, 1.381966, 0.271496), mean v = 0.786044,
        // R_x = x ⊙ (v − mean v)/σ = (−1.369726, 2.593882, 1.599027, −1.840898).
        // Conservation: Σ R_x = 0.982285 = Σ R·(z − bias)/z = 1 − 1 + 0.618034 + 0.364252.
        let relevance = LayerNormRelevance.inputRelevance(
            of: LayerNorm(axis: -1, epsilon: 0), input: Tensor(shape: [1, 4], scalars: [1, 2, 3, 4]),
            weight: Tensor(shape: [4], scalars: [1, 2, 1, 2]), bias: Tensor(shape: [4], scalars: [0, 0, 1, 1]),
            relevance: Tensor(shape: [1, 4], scalars: [1, -1, 2, 0.5]), epsilon: 0).scalars
        expectClose(relevance, [-1.369726, 2.593882, 1.599027, -1.840898], .relative(1e-5, floor: 1))
        #expect(abs(relevance.reduce(0, +) - 0.982285) < 1e-5)
    }

    @Test func layerNormWithoutBiasConservesTheScoreEndToEnd() throws {
        // With bias 0, Σ R·(z − bias)/z = Σ R: every sample's input relevance adds up to its score.
        var builder = GraphBuilder(shape: [1, 2, 3])
        try builder.add("norm", LayerNorm(axis: 1, epsilon: 1e-5), inputs: ["input"],
                        parameters: ["weight": .randomUniform(shape: [2, 3], in: 0.5...1.5, seed: 1),
                                     "bias": Tensor(zeros: [2, 3])])
        try builder.add("flatten", Flatten(startDim: 1), inputs: ["norm"])
        try builder.add("fc", Linear(bias: false), inputs: ["flatten"], parameters: ["weight": .randomNormal(shape: [3, 6], seed: 2)])
        let model = ExplainedModel(graph: try builder.build(output: "fc"),
                                   description: ModelDescription(inputKind: .image, defaultLayer: "norm",
                                                                 task: .classification(classes: 3)))
        let input = Tensor.randomNormal(shape: [2, 2, 3], mean: 0.5, seed: 3)
        let explanation = try explain(input, model: model, method: .lrp)
        for n in 0..<2 {
            let total = explanation.attribution.scalars[(n * 6)..<((n + 1) * 6)].reduce(0, +)
            #expect(abs(total - explanation.scores[n]) <= 1e-4 * max(1, abs(explanation.scores[n])),
                    "sample \(n): Σ R = \(total), y = \(explanation.scores[n])")
        }
    }

    @Test func maskedSelectAndRowScatterRouteRelevanceToTheirSources() throws {
        // x = (1, 2, 3, 4) → Select(mask (1, 0, 1, 0), x, 0) = (1, 0, 3, 0) → fc (1, 1, 1, 1): y = 4.
        // ε at fc: R = w ⊙ a = (1, 0, 3, 0); each element's relevance goes to the operand it came
        // from, so x gets (1, 0, 3, 0) and Σ R_x = y — conservation where the other operand is a
        // constant holding no relevance.
        var builder = GraphBuilder(shape: [1, 4])
        try builder.add("zero", Constant(Tensor(zeros: [1])), inputs: [])
        try builder.add("select", Select(mask: Tensor(shape: [4], scalars: [1, 0, 1, 0])), inputs: ["input", "zero"])
        try builder.add("fc", Linear(bias: false), inputs: ["select"], parameters: ["weight": Tensor(shape: [1, 4], scalars: [1, 1, 1, 1])])
        let model = ExplainedModel(graph: try builder.build(output: "fc"),
                                   description: ModelDescription(inputKind: .image, defaultLayer: "select",
                                                                 task: .classification(classes: 1)))
        let explanation = try explain(Tensor(shape: [1, 4], scalars: [1, 2, 3, 4]), model: model, method: .lrp)
        expectClose(explanation.attribution.scalars, [1, 0, 3, 0], .relative(1e-5, floor: 1))
        #expect(abs(explanation.attribution.scalars.reduce(0, +) - explanation.scores[0]) < 1e-5)

        // ScatterRows: x rows (1, 2), (3, 4); update row (5, 6) = x row 0 + 4 overwrites row 1:
        // y = (1, 2, 5, 6) flattened → fc (1, 1, 1, 1): y = 14. R = (1, 2, 5, 6); row 1 of x
        // was overwritten and gets nothing; the update's relevance goes back through the add to
        // x row 0 in proportion (1, 2)/(5, 6)·(5, 6) = (1, 2), so R_x = (2, 4, 0, 0), and the
        // constant 4 keeps its share 8.
        var scatter = GraphBuilder(shape: [1, 4])
        try scatter.add("rows", Reshape([2, 2]), inputs: ["input"])
        try scatter.add("four", Constant(Tensor(shape: [1], scalars: [4])), inputs: [])
        try scatter.add("row0", Slice(axis: 0, start: 0, end: 1), inputs: ["rows"])
        try scatter.add("update", Add(), inputs: ["row0", "four"])
        try scatter.add("scatter", ScatterRows(rows: [1]), inputs: ["rows", "update"])
        try scatter.add("flat", Reshape([1, 4]), inputs: ["scatter"])
        try scatter.add("fc", Linear(bias: false), inputs: ["flat"], parameters: ["weight": Tensor(shape: [1, 4], scalars: [1, 1, 1, 1])])
        let scatterModel = ExplainedModel(graph: try scatter.build(output: "fc"),
                                          description: ModelDescription(inputKind: .image, defaultLayer: "scatter",
                                                                        task: .classification(classes: 1)))
        let routed = try explain(Tensor(shape: [1, 4], scalars: [1, 2, 3, 4]), model: scatterModel, method: .lrp)
        expectClose(routed.attribution.scalars, [2, 4, 0, 0], .relative(1e-5, floor: 1))
    }

    @Test func geluAndHardSwishPassRelevanceOnUnchanged() throws {
        // x = (1, −0.5), fc weight (1, 2). GELU: a = (0.841345, −0.154269), y = 0.532807; ε at fc gives
        // R_a = w ⊙ a = (0.841345, −0.308538), which reaches x unchanged.
        // Hard swish: a = (1·(1/6 + ½), −0.5·(−1/12 + ½)) = (0.666667, −0.208333), R_x = (0.666667, −0.416667).
        let x = Tensor(shape: [1, 2], scalars: [1, -0.5])
        let gelu = try explain(x, model: model(GELU(approximation: .none), named: "act", fcWeight: [1, 2]), method: .lrp)
        expectClose(gelu.scores, [0.532807], .relative(1e-5, floor: 1))
        expectClose(gelu.attribution.scalars, [0.841345, -0.308538], .relative(1e-5, floor: 1))
        let hardSwish = try explain(x, model: model(HardSwish(), named: "act", fcWeight: [1, 2]), method: .lrp)
        expectClose(hardSwish.attribution.scalars, [0.666667, -0.416667], .relative(1e-5, floor: 1))
    }

    @Test func hardSigmoidGatedProductRoutesEverythingToTheSignal() throws {
        // x = (1, −1), gate hardsigmoid(x) = (1/6 + ½, −1/6 + ½) = (2/3, 1/3), p = gate ⊙ x = (2/3, −1/3),
        // y = (2, 1)·p = 1. ε at fc: R_p = w ⊙ p = (4/3, −1/3); signal-take-all: R_x = R_p.
        var builder = GraphBuilder(shape: [1, 2])
        try builder.add("gate", HardSigmoid(), inputs: ["input"])
        try builder.add("gated", Multiply(), inputs: ["input", "gate"])
        try builder.add("fc", Linear(bias: false), inputs: ["gated"], parameters: ["weight": Tensor(shape: [1, 2], scalars: [2, 1])])
        let model = ExplainedModel(graph: try builder.build(output: "fc"),
                                   description: ModelDescription(inputKind: .image, defaultLayer: "gated",
                                                                 task: .classification(classes: 1)))
        let explanation = try explain(Tensor(shape: [1, 2], scalars: [1, -1]), model: model, method: .lrp)
        expectClose(explanation.scores, [1], .relative(1e-5, floor: 1))
        expectClose(explanation.attribution.scalars, [4.0 / 3, -1.0 / 3], .relative(1e-5, floor: 1))
    }

    static let normalisationArithmetic: [(op: any Op, name: String)] = [
        (Sqrt(), "Sqrt"), (Power(exponent: 2), "Pow"), (Erf(), "Erf"), (HardSigmoid(), "HardSigmoid"),
    ]

    @Test(arguments: normalisationArithmetic.indices)
    func relevanceReachingNormalisationArithmeticIsUnsupported(index: Int) throws {
        let (op, typeName) = Self.normalisationArithmetic[index]
        let model = try model(op, named: "root", fcWeight: [1, 2])
        #expect(throws: STError.unsupported(op: "LRP through \(typeName) (node 'root')")) {
            try explain(Tensor(shape: [1, 2], scalars: [1, 4]), model: model, method: .lrp)
        }
    }
}
