import Foundation
import Testing
import STCore
import TestSupport
@testable import STExplain

@Suite struct TargetTests {
    @Test func probabilityTargetScalesGradientsBySoftmaxDerivative() throws {
        // y = (1, 3): p₁ = e³/(e + e³) = 1/(1 + e⁻²). ∂p₁/∂y = p₁(1 − p₁)·(−1, 1), so Grad-CAM's
        // α = p₁(1 − p₁)·((0.5 − 1)/2, (2 + 1)/2) and L = ReLU(α₀·[1, 3] + α₁·[2, 0]).
        let p = 1 / (1 + Float(exp(-2.0)))
        let s = p * (1 - p)
        let alpha = (s * -0.25, s * 1.5)
        let expected = [alpha.0 * 1 + alpha.1 * 2, alpha.0 * 3].map { max($0, 0) }
        let explanation = try HandComputedModel.explain(.gradcam, target: .probability(nil))
        for (value, wanted) in zip(explanation.map.scalars, expected) { #expect(abs(value - wanted) < 1e-5) }
        #expect(explanation.scores == [3])
        #expect(explanation.topK.first?.map(\.class) == [1, 0])
        #expect(abs(explanation.topK[0][0].probability - p) < 1e-6)
    }

    @Test func classOutOfRangeIsAnError() {
        #expect(throws: STError.invalidRequest("target class 2 is out of range for a model with 2 classes (0…1)")) {
            try HandComputedModel.explain(.gradcam, target: .classIndex(2))
        }
    }

    @Test func regressionTargetOnAClassifierIsAnError() {
        expectError(.invalidRequest, mentioning: "a regression target needs a regression model") {
            try HandComputedModel.explain(.gradcam, target: .outputs([0]))
        }
    }

    @Test func unknownLayerListsNearestNames() throws {
        let error = expectError(.invalidRequest) {
            try HandComputedModel.explain(CAMExplainer(GradCAM(), layer: "featurs"))
        }
        #expect(error?.description.hasPrefix("no layer named 'featurs'; nearest: features") == true)
    }

    @Test func wrongInputShapeNamesTheSource() throws {
        let model = try HandComputedModel.model()
        #expect(throws: STError.badInput(file: "clip.npy", reason: "input of shape [1, 3, 1, 2] does not fit the model, "
                                         + "which takes [\"N\", \"2\", \"1\", \"2\"] (N any batch)")) {
            try explain(Tensor(zeros: [1, 3, 1, 2]), model: model, method: .gradcam, source: "clip.npy")
        }
    }

    @Test func negativeLossOfARegressor() throws {
        // A regressor y = W·mean(ReLU(x)) with the same weights, ground truth t = (0, 0), only
        // component 1: target = −(y₁ − 0)² = −9, ∂/∂y₁ = −2·3 = −6 → Grad-CAM α = −6·(0.25, 1),
        // all negative → the ReLU'd map is zero; HiResCAM keeps the sign: −6·(0.25·[1, 3] + [2, 0]).
        var model = try HandComputedModel.model()
        model.modelDescription.task = .regression
        let target = Target.negativeLoss(groundTruth: Tensor(zeros: [1, 2]), components: [1])
        let explanation = try explain(HandComputedModel.input, model: model, method: .hirescam, target: target)
        #expect(explanation.scores == [-9])
        #expect(explanation.targetClasses == nil)
        #expect(explanation.map.scalars == [-13.5, -4.5])
        #expect(try explain(HandComputedModel.input, model: model, method: .gradcam, target: target).map.scalars == [0, 0])
    }

    @Test func poseComponentsSelectTranslationAndRotation() {
        #expect(Target.poseComponents(.translation, referenceFrames: 2) == [0, 1, 2, 6, 7, 8])
        #expect(Target.poseComponents(.rotation, referenceFrames: 1) == [3, 4, 5])
    }
}
