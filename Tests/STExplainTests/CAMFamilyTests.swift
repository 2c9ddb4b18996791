import Testing
import STCore
import TestSupport
@testable import STExplain

/// Every CAM method on `HandComputedModel` (A = [[1, 3], [2, 0]], g_k = W_ck / 2), the expected
/// maps derived from each method's formula.
@Suite struct CAMFamilyTests {
    func expectMap(_ explanation: Explanation, _ expected: [Float], sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(explanation.map.shape == [1, 1, 2], sourceLocation: sourceLocation)
        for (value, wanted) in zip(explanation.map.scalars, expected) {
            #expect(abs(value - wanted) <= 1e-5, "map \(explanation.map.scalars) ≠ \(expected)", sourceLocation: sourceLocation)
        }
    }

    @Test func gradCAMOfHandComputedGraphMatchesFormula() throws {
        // class 1: α = (0.5/2, 2/2) = (0.25, 1); L = ReLU(0.25·[1, 3] + 1·[2, 0]) = [2.25, 0.75]
        let explanation = try HandComputedModel.explain(.gradcam)
        expectMap(explanation, [2.25, 0.75])
        #expect(explanation.targetClasses == [1])
        #expect(explanation.scores == [3])
        #expect(explanation.layer == "features")
        // class 0: α = (0.5, −0.5); L = ReLU([0.5 − 1, 1.5 − 0]) = [0, 1.5]
        expectMap(try HandComputedModel.explain(.gradcam, target: .classIndex(0)), [0, 1.5])
    }

    @Test func camUsesClassifierWeightsWithoutReLU() throws {
        // class 1: L = 0.5·[1, 3] + 2·[2, 0] = [4.5, 1.5]; class 0: [1 − 2, 3 − 0] = [−1, 3]
        expectMap(try HandComputedModel.explain(.cam), [4.5, 1.5])
        expectMap(try HandComputedModel.explain(.cam, target: .classIndex(0)), [-1, 3])
    }

    @Test func gradCAMPlusPlusClosedForm() throws {
        // class 1, channel 0: g = 0.25, ΣA = 4, a = g²/(2g² + 4g³) = 1/(2 + 4·0.25) = 1/3,
        //   w₀ = Σ_p a·ReLU(g) = 2 · (1/3) · 0.25 = 1/6
        // channel 1: g = 1, ΣA = 2, a = 1/(2 + 2) = 1/4, w₁ = 2 · (1/4) · 1 = 1/2
        // L = ReLU((1/6)·[1, 3] + (1/2)·[2, 0]) = [7/6, 1/2]
        expectMap(try HandComputedModel.explain(.gradcamPlusPlus), [7.0 / 6, 0.5])
    }

    @Test func xGradCAMWeightsGradientsByNormalisedActivations() throws {
        // class 0: w₀ = (1·0.5 + 3·0.5)/4 = 0.5, w₁ = (2·(−0.5) + 0·(−0.5))/2 = −0.5
        // L = ReLU(0.5·[1, 3] − 0.5·[2, 0]) = [0, 1.5]
        expectMap(try HandComputedModel.explain(.xgradcam, target: .classIndex(0)), [0, 1.5])
    }

    @Test func layerCAMKeepsPositiveGradientsPerElement() throws {
        // class 0: ReLU(g) = (0.5, 0) per channel; L = 0.5·[1, 3] + 0 = [0.5, 1.5]
        expectMap(try HandComputedModel.explain(.layercam, target: .classIndex(0)), [0.5, 1.5])
    }

    @Test func hiResCAMIsSigned() throws {
        // class 0: Σ_k g_k ⊙ A_k = 0.5·[1, 3] − 0.5·[2, 0] = [−0.5, 1.5]
        expectMap(try HandComputedModel.explain(.hirescam, target: .classIndex(0)), [-0.5, 1.5])
    }

    @Test func camRefusesLayersNotFollowedByPoolingAndLinear() throws {
        var builder = GraphBuilder(shape: [1, 2, 1, 2])
        try builder.add("features", ReLU(), inputs: ["input"])
        try builder.add("square", Multiply(), inputs: ["features", "features"])
        try builder.add("pool", AdaptiveAveragePool.global(spatialRank: 2), inputs: ["square"])
        try builder.add("flatten", Flatten(startDim: 1), inputs: ["pool"])
        let model = ExplainedModel(graph: try builder.build(output: "flatten"),
                                   description: ModelDescription(inputKind: .image, defaultLayer: "features",
                                                                 task: .classification(classes: 2)))
        expectError(.invalidRequest, mentioning: "global average pooling and a linear classifier") {
            try explain(HandComputedModel.input, model: model, method: .cam)
        }
    }

    @Test func allZeroGradientsGiveAllZeroMaps() throws {
        // A class whose classifier row is zero: g = 0 everywhere, every weighting must give 0, not NaN.
        var builder = GraphBuilder(shape: [1, 2, 1, 2])
        try builder.add("features", ReLU(), inputs: ["input"])
        try builder.add("pool", AdaptiveAveragePool.global(spatialRank: 2), inputs: ["features"])
        try builder.add("flatten", Flatten(startDim: 1), inputs: ["pool"])
        try builder.add("fc", Linear(bias: false), inputs: ["flatten"],
                        parameters: ["weight": Tensor(shape: [2, 2], scalars: [0, 0, 1, 1])])
        let model = ExplainedModel(graph: try builder.build(output: "fc"),
                                   description: ModelDescription(inputKind: .image, defaultLayer: "features",
                                                                 task: .classification(classes: 2)))
        for method in Method.allCases where method.isCAM {
            let explanation = try explain(HandComputedModel.input, model: model, method: method, target: .classIndex(0))
            #expect(explanation.map.scalars == [0, 0], "\(method.rawValue)")
            #expect(explanation.attribution.scalars.allSatisfy { $0 == 0 }, "\(method.rawValue)")
        }
    }
}
