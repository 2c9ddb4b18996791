import Foundation
import Testing
import STCore
import TestSupport
@testable import STExplain

/// Input-gradient, path and perturbation methods on `HandComputedModel`:
/// y₁ = 0.5·mean(ReLU(x₀)) + 2·mean(ReLU(x₁)) with x₀ = [1, 3], x₁ = [2, 0].
@Suite struct GradientMethodTests {
    @Test func saliencyIsAbsoluteGradientWithChannelMaximum() throws {
        // ∂y₁/∂x₀ₚ = 0.5/2 = 0.25 (x₀ > 0); ∂y₁/∂x₁ₚ = 2/2·[x₁ₚ > 0] = [1, 0]
        let explanation = try HandComputedModel.explain(.saliency)
        #expect(explanation.attribution.shape == [1, 2, 1, 2])
        expectClose(explanation.attribution.scalars, [0.25, 0.25, 1, 0], .absolute(1e-5))
        expectClose(explanation.map.scalars, [1, 0.25], .absolute(1e-5))
        #expect(explanation.map.shape == [1, 1, 2])
    }

    @Test func guidedBackpropAndDeconvnetDifferAtInactiveUnits() throws {
        // class 1: gradients at the ReLU output are (0.25, 1) > 0. Guided also needs x > 0, so x₁ₚ₁ = 0
        // gets 0; deconvnet ignores x and passes 1 there.
        expectClose(try HandComputedModel.explain(.guidedBackprop).attribution.scalars, [0.25, 0.25, 1, 0],
                    .absolute(1e-5))
        expectClose(try HandComputedModel.explain(.deconvnet).attribution.scalars, [0.25, 0.25, 1, 1], .absolute(1e-5))
        // class 0: gradients (1/2, −1/2): both drop the negative channel.
        expectClose(try HandComputedModel.explain(.guidedBackprop, target: .classIndex(0)).attribution.scalars,
                    [0.5, 0.5, 0, 0], .absolute(1e-5))
        expectClose(try HandComputedModel.explain(.deconvnet, target: .classIndex(0)).attribution.scalars,
                    [0.5, 0.5, 0, 0], .absolute(1e-5))
    }

    @Test func guidedGradCAMMultipliesGuidedGradientsByTheMap() throws {
        // guided [0.25, 0.25 | 1, 0] ⊙ Grad-CAM [2.25, 0.75] per channel
        let explanation = try HandComputedModel.explain(.guidedGradcam)
        expectClose(explanation.attribution.scalars, [0.5625, 0.1875, 2.25, 0], .absolute(1e-5))
    }

    @Test func integratedGradientsAreExactOnAPiecewiseLinearPath() throws {
        // Along αx the ReLU pattern is fixed for α > 0, so the gradient is constant and
        // IG = x ⊙ ∇y₁ = [0.25, 0.75 | 2, 0]; completeness: Σ = y₁(x) − y₁(0) = 3.
        // The trapezoid rule also samples α = 0, where every ReLU is off and the gradient is 0,
        // so it loses that end point's weight: 1/12 of the total with 7 points (step 1/6), which
        // its convergence delta reports.
        let expected: [Float] = [0.25, 0.75, 2, 0]
        for rule in PathIntegration.allCases {
            let integratedGradients = IntegratedGradientsExplainer(steps: 7, integration: rule, batching: Batching(size: 3))
            let explanation = try HandComputedModel.explain(integratedGradients)
            let scale: Float = rule == .riemannTrapezoid ? 11.0 / 12 : 1
            expectClose(explanation.attribution.scalars, expected.map { $0 * scale }, .absolute(1e-5))
            expectClose(explanation.map.scalars, [2.25 * scale, 0.75 * scale], .absolute(1e-5))
            // Convergence delta Σ IG − (y₁(x) − y₁(0)) = 3·scale − 3: 0, or −0.25 for the trapezoid.
            expectClose(try #require(explanation.convergenceDelta), [3 * scale - 3], .absolute(1e-5))
        }
    }

    @Test func gaussLegendreNodesIntegratePolynomialsExactly() {
        // n points integrate degree 2n − 1 exactly: ∫₀¹ α⁵ dα = 1/6 with 3 points.
        let (alphas, weights) = PathIntegration.gaussLegendre.nodes(count: 3)
        let integral = zip(alphas, weights).reduce(0.0) { $0 + $1.1 * pow($1.0, 5) }
        #expect(abs(integral - 1.0 / 6) < 1e-12)
        // The 2-point rule's nodes are ½ ± 1/(2√3).
        let two = PathIntegration.gaussLegendre.nodes(count: 2).alphas
        #expect(abs(two[0] - (0.5 - 0.5 / 3.0.squareRoot())) < 1e-12)
    }

    @Test func occlusionCreditsEachPositionWithTheScoreDrop() throws {
        // Zeroing position 0 of both channels: y₁ = 0.5·1.5 + 2·0 = 0.75 → drop 3 − 0.75 = 2.25.
        // Position 1: y₁ = 0.5·0.5 + 2·1 = 2.25 → drop 0.75.
        let explanation = try HandComputedModel.explain(OcclusionExplainer(window: [1, 1]))
        expectClose(explanation.map.scalars, [2.25, 0.75], .absolute(1e-5))
        expectClose(explanation.attribution.scalars, [2.25, 0.75, 2.25, 0.75], .absolute(1e-5))
    }

    @Test func overlappingOcclusionWindowsAreAveraged() throws {
        // Window 1×2 covers both positions once (drop 3); stride 1 fits one start, so every
        // position's mean drop is 3.
        expectClose(try HandComputedModel.explain(OcclusionExplainer(window: [1, 2], stride: [1, 1])).map.scalars,
                    [3, 3], .absolute(1e-5))
    }

    @Test func smoothGradWithoutNoiseIsSaliency() throws {
        let smoothGrad = SmoothGradExplainer(samples: 4, noiseLevel: 0)
        expectClose(try HandComputedModel.explain(smoothGrad).attribution.scalars, [0.25, 0.25, 1, 0], .absolute(1e-5))
    }
}
