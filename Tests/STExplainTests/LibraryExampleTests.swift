import Foundation
import Testing
import STCore
import STExplain
import STIO
import STModels

/// The code of docs/library.md, run on a small r3d_18 (width 0.125, 8 × 32 × 32 clips) whose
/// random weights are first written to a safetensors file, as a PyTorch user's would be.
@Suite struct LibraryExampleTests {
    // docs/library.md, "Load a built-in model with PyTorch weights".
    func loadR3D18(weights path: String, classes: Int, width: Double = 1,
                   inputShape: [Int] = [1, 3, 16, 112, 112]) throws -> ExplainedModel {
        let spec = try ModelSpec(architecture: "r3d_18", classes: classes, widthMultiplier: width, inputShape: inputShape)
        let architecture = try spec.makeArchitecture()
        var graph = try architecture.graph(seed: 0)
        try SafeTensors.loadModelWeights(path: path, into: &graph)   // strict: every key and shape must match
        return ExplainedModel(graph: graph, description: architecture.modelDescription)
    }

    /// A safetensors file holding a freshly initialised small r3d_18 (the stand-in for
    /// `safetensors.torch.save_file(model.state_dict(), …)`).
    func writeRandomWeights(classes: Int, width: Double, inputShape: [Int]) throws -> String {
        let spec = try ModelSpec(architecture: "r3d_18", classes: classes, widthMultiplier: width, inputShape: inputShape)
        let graph = try spec.makeArchitecture().graph(seed: 7)
        let path = FileManager.default.temporaryDirectory
            .appendingPathComponent("library-example-\(UUID().uuidString).safetensors").path
        try SafeTensors.write(graph.stateDict, to: path)
        return path
    }

    @Test func gradCAMOfALoadedModelHasTheLayersShapeAndPositiveEvidence() throws {
        let path = try writeRandomWeights(classes: 5, width: 0.125, inputShape: [1, 3, 8, 32, 32])
        defer { try? FileManager.default.removeItem(atPath: path) }

        // docs/library.md, "Explain with Grad-CAM".
        let model = try loadR3D18(weights: path, classes: 5, width: 0.125, inputShape: [1, 3, 8, 32, 32])
        let clips = Tensor.randomNormal(shape: [2, 3, 8, 32, 32], seed: 1)   // or NPY.read(path: "clips.npy")
        let gradcam = try explain(clips, model: model, method: .gradcam)     // top class, default layer
        let map = gradcam.map                                                // raw, at layer4's resolution

        // r3d_18 halves time three times and space four times: 8 × 32 × 32 → 1 × 2 × 2 at layer4.
        #expect(gradcam.layer == "layer4")
        #expect(map.shape == [2, 1, 2, 2])
        #expect(gradcam.attribution.shape == [2, 8, 32, 32])
        #expect(gradcam.targetClasses?.count == 2)
        // Grad-CAM is rectified, and a random clip still has some positive evidence for its top class.
        #expect(map.scalars.allSatisfy { $0 >= 0 })
        #expect(map.scalars.reduce(0, +) > 0)
        // The top class is the highest logit of top-k, and the score is that logit.
        for n in 0..<2 {
            #expect(gradcam.topK[n].first?.class == gradcam.targetClasses?[n])
            #expect(gradcam.topK[n].first?.score == gradcam.scores[n])
        }
    }

    @Test func lrpOfALoadedModelRoughlyConservesTheScore() throws {
        let path = try writeRandomWeights(classes: 5, width: 0.125, inputShape: [1, 3, 8, 32, 32])
        defer { try? FileManager.default.removeItem(atPath: path) }
        let model = try loadR3D18(weights: path, classes: 5, width: 0.125, inputShape: [1, 3, 8, 32, 32])
        let clips = Tensor.randomNormal(shape: [2, 3, 8, 32, 32], seed: 1)

        // docs/library.md, "Explain with LRP".
        let lrp = try explain(clips, model: model, explainer: LRPExplainer(composite: .epsilonAlpha2Beta1), target: .classIndex(2))
        let relevance = lrp.attribution                                      // the input's shape, signed
        let perSample = relevance.count / relevance.shape[0]
        let totals = (0..<relevance.shape[0]).map { n in
            relevance.scalars[(n * perSample)..<((n + 1) * perSample)].reduce(0, +)
        }

        #expect(relevance.shape == clips.shape)
        #expect(lrp.map.shape == [2, 8, 32, 32])
        #expect(lrp.targetClasses == [2, 2])
        // Relevance starts at y₂ and is conserved except for what the classifier's bias and ε
        // absorb (freshly initialised batch norms fold into bias-free convolutions), so each
        // sample's total stays within 10 % of its score (here −0.0318 vs −0.0336, −0.0618 vs −0.0597).
        for (total, score) in zip(totals, lrp.scores) {
            #expect(total != 0)
            #expect(abs(total - score) <= 0.1 * abs(score) + 1e-3, "Σ R = \(total), y = \(score)")
        }
    }
}
