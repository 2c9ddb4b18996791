import Testing
import STCore
import STModels
import TestSupport
@testable import STExplain

/// Explainers on the built-in architectures at small sizes with random weights: shapes, batching,
/// persons, frames, attention and regression targets.
@Suite struct BuiltInModelTests {
    func model(_ architecture: String, classes: Int = 4, width: Double = 0.25, input: [Int],
               backbone: String? = nil) throws -> ExplainedModel {
        let spec = try ModelSpec(architecture: architecture, classes: classes, widthMultiplier: width,
                                 inputShape: input, backbone: backbone)
        let architecture = try spec.makeArchitecture()
        return ExplainedModel(graph: try architecture.graph(seed: 3), description: architecture.modelDescription)
    }

    @Test func batchedExplanationsEqualOneByOne() throws {
        let model = try model("small_cam_net_3d", input: [1, 3, 4, 16, 16])
        let batch = Tensor.randomNormal(shape: [3, 3, 4, 16, 16], seed: 5)
        let samples = batch.scalars
        let size = samples.count / 3
        for method in [Method.cam, .gradcam, .gradcamPlusPlus, .layercam, .saliency, .guidedBackprop] {
            let together = try explain(batch, model: model, method: method)
            for n in 0..<3 {
                let single = Tensor(shape: [1, 3, 4, 16, 16], scalars: Array(samples[(n * size)..<((n + 1) * size)]))
                let alone = try explain(single, model: model, method: method)
                let part = together.map.count / 3
                let expected = Array(together.map.scalars[(n * part)..<((n + 1) * part)])
                let largest = expected.map(abs).max() ?? 1
                for (a, b) in zip(alone.map.scalars, expected) {
                    #expect(abs(a - b) <= 1e-4 * max(largest, 1e-3), "\(method.rawValue) sample \(n)")
                }
                #expect(alone.targetClasses?.first == together.targetClasses?[n])
            }
        }
    }

    @Test func methodsSharingOneForwardPassEqualSeparateRuns() throws {
        // CAM methods at two layers, the input-gradient methods and guided Grad-CAM read one pass;
        // occlusion runs its own. Each result must equal the method run on its own.
        let model = try model("small_cam_net_3d", input: [1, 3, 4, 16, 16])
        let input = Tensor.randomNormal(shape: [2, 3, 4, 16, 16], seed: 6)
        let methods: [Method] = [.gradcam, .gradcamPlusPlus, .xgradcam, .layercam, .hirescam, .saliency,
                                 .guidedBackprop, .deconvnet, .guidedGradcam, .occlusion]
        let explainers = methods.map { $0 == .occlusion ? OcclusionExplainer(window: [2, 8, 8]) as any Explainer : $0.explainer }
        let together = try explain(input, model: model, explainers: explainers, target: .classIndex(1))
        #expect(together.map(\.method) == methods)
        for (method, (explainer, shared)) in zip(methods, zip(explainers, together)) {
            let alone = try explain(input, model: model, explainer: explainer, target: .classIndex(1))
            #expect(shared.map.shape == alone.map.shape)
            #expect(shared.map.scalars == alone.map.scalars, "\(method.rawValue)")
            #expect(shared.attribution.scalars == alone.attribution.scalars, "\(method.rawValue)")
            #expect(shared.scores == alone.scores)
            #expect(shared.map.scalars.contains { $0 != 0 }, "\(method.rawValue)")
        }
    }

    @Test func camAgreesWithGradCAMUpToScaleBeforeReLU() throws {
        // Pooling → linear head: CAM = P·Σ_k α_k·A_k, Grad-CAM = ReLU(Σ_k α_k·A_k), P = T′·H′·W′.
        let model = try model("small_cam_net_3d", input: [1, 3, 4, 16, 16])
        let input = Tensor.randomNormal(shape: [1, 3, 4, 16, 16], seed: 8)
        let cam = try explain(input, model: model, method: .cam)
        let gradcam = try explain(input, model: model, method: .gradcam)
        #expect(cam.map.shape == [1, 1, 4, 4])
        let positions = Float(cam.map.count)
        for (c, g) in zip(cam.map.scalars, gradcam.map.scalars) {
            #expect(abs(max(c / positions, 0) - g) <= 1e-5 * max(1, abs(g)))
        }
        #expect(cam.attribution.shape == [1, 4, 16, 16])
    }

    @Test func layerWithOneByOneByOneMapGivesAConstantAttribution() throws {
        let model = try model("small_cam_net_3d", input: [1, 3, 4, 16, 16])
        let explanation = try explain(Tensor.randomNormal(shape: [2, 3, 4, 16, 16], seed: 2), model: model,
                                      explainer: CAMExplainer(GradCAM(), layer: "avgpool"))
        #expect(explanation.map.shape == [2, 1, 1, 1])
        for n in 0..<2 {
            let slice = explanation.attribution.scalars[(n * 1024)..<((n + 1) * 1024)]
            #expect(slice.allSatisfy { abs($0 - explanation.map.scalars[n]) <= 1e-6 * abs(explanation.map.scalars[n]) })
        }
    }

    @Test func stgcnMapsAreJointByTimeWithPersonsAveraged() throws {
        let model = try model("st_gcn", input: [1, 3, 16, 25, 2])
        let input = Tensor.randomNormal(shape: [2, 3, 16, 25, 2], seed: 4)
        let explanation = try explain(input, model: model, method: .gradcam)
        #expect(explanation.layer == STGCN.defaultLayer)
        #expect(explanation.map.shape == [2, 4, 25])
        #expect(explanation.attribution.shape == [2, 16, 25])
        let occlusion = try explain(input, model: model, method: .occlusion)
        #expect(occlusion.map.shape == [2, 16, 25])
        #expect(occlusion.attribution.shape == [2, 3, 16, 25, 2])
        let saliency = try explain(input, model: model, method: .saliency)
        #expect(saliency.map.shape == [2, 16, 25])
    }

    @Test func cnnLSTMAttentionGivesPerFrameMapsAndWeights() throws {
        let model = try model("cnn_lstm_attention", width: 0.5, input: [1, 3, 4, 16, 16], backbone: "plain")
        let input = Tensor.randomNormal(shape: [2, 3, 4, 16, 16], seed: 6)
        let explanation = try explain(input, model: model, method: .gradcam)
        #expect(explanation.map.shape == [2, 4, 4, 4])
        #expect(explanation.attribution.shape == [2, 4, 16, 16])
        let weights = try #require(explanation.attentionWeights)
        #expect(weights.shape == [2, 4])
        #expect(abs(weights.scalars[0..<4].reduce(0, +) - 1) < 1e-5)
        let attention = try explain(input, model: model, method: .gradcam, target: .attention(frame: 1))
        #expect(attention.scores == [weights.scalars[1], weights.scalars[5]])
    }

    @Test func poseNetExplainsTranslationAndRotationSeparately() throws {
        let model = try model("posenet", width: 0.25, input: [1, 9, 64, 64])
        let input = Tensor.randomNormal(shape: [1, 9, 64, 64], seed: 9)
        let translation = try explain(input, model: model, method: .hirescam,
                                      target: .outputs(Target.poseComponents(.translation, referenceFrames: 2)))
        let rotation = try explain(input, model: model, method: .hirescam,
                                   target: .outputs(Target.poseComponents(.rotation, referenceFrames: 2)))
        #expect(translation.attribution.shape == [1, 64, 64])
        #expect(translation.map.scalars != rotation.map.scalars)
        #expect(translation.topK.isEmpty)
        expectError(.invalidRequest, mentioning: "a class target needs a classifier") {
            try explain(input, model: model, method: .gradcam)
        }
    }
}
