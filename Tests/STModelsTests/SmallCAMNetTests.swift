import Testing
import STCore
import TestSupport
@testable import STModels

@Suite struct SmallCAMNetTests {
    @Test func parameterCountsFollowTheDefinition() throws {
        // Stages 32, 64, 128 with 10 classes. 3D: convolutions 3·32·27 = 2,592, 32·64·27 = 55,296,
        // 64·128·27 = 221,184; batch norms 2·(32 + 64 + 128) = 448; classifier 128·10 + 10 = 1,290;
        // total 280,810. 2D (kernels 3×3): 864 + 18,432 + 73,728 + 448 + 1,290 = 94,762.
        #expect(try SmallCAMNet(classes: 10, spatialRank: 3).graph(seed: 0).parameterCount == 280_810)
        #expect(try SmallCAMNet(classes: 10, spatialRank: 2).graph(seed: 0).parameterCount == 94_762)
    }

    @Test func fullSizeShapesAndNamesFollowTheSequential() throws {
        // Two 2× max pools: 16×112×112 → 4×28×28 (3D), 112×112 → 28×28 (2D).
        for (rank, features) in [(3, [1, 128, 4, 28, 28]), (2, [1, 128, 28, 28])] {
            let model = SmallCAMNet(classes: 10, spatialRank: rank)
            let graph = try model.graph(initialization: .zeros)
            let shapes = try graph.inferShapes(["input": model.inputShape])
            #expect(model.defaultLayer == "features.10")
            #expect(shapes["features.10"] == features)
            #expect(shapes["classifier"] == [1, 10])
            #expect(try graph.resolve("features") == "features.10")
            #expect(try graph.node(named: "features.3").op is Pooling)
            #expect(try graph.node(named: "features.10").op is ReLU)
            let state = graph.stateDict
            #expect(state["features.0.weight"]?.shape == [32, 3] + Array(repeating: 3, count: rank))
            #expect(state["features.9.running_var"]?.shape == [128])
            #expect(state["classifier.weight"]?.shape == [10, 128])
        }
    }

    @Test func withoutTimePoolingTheMapKeepsEveryFrame() throws {
        // MaxPool3d((1, 2, 2)) twice: 16×112×112 → 16×28×28; the parameters are those of the
        // pooling network, and the spec carries the choice.
        let model = SmallCAMNet(classes: 10, poolsTime: false)
        let graph = try model.graph(initialization: .zeros)
        #expect(try graph.inferShapes(["input": model.inputShape])["features.10"] == [1, 128, 16, 28, 28])
        #expect(graph.parameterCount == 280_810)
        let spec = try ModelSpec(architecture: "small_cam_net_3d", classes: 10, poolsTime: false)
        let built = try #require(try spec.makeArchitecture() as? SmallCAMNet)
        #expect(!built.poolsTime)
        #expect(try #require(try ModelSpec(architecture: "small_cam_net_3d", classes: 10).makeArchitecture() as? SmallCAMNet).poolsTime)
    }

    @Test(arguments: [2, 3])
    func logitsAreTheMeanClassActivationMapPlusBias(spatialRank: Int) throws {
        // CAM: with A the default layer and w^c the classifier row, y_c = b_c + mean_p Σ_k w_ck A_k(p),
        // and ∂y_c/∂A_k(p) = w_ck / P for every one of the P positions.
        let inputShape = [2, 3] + (spatialRank == 3 ? [4] : []) + [16, 16]
        let model = SmallCAMNet(classes: 4, spatialRank: spatialRank, stageChannels: [8, 16], inputShape: inputShape)
        let graph = try model.graph(seed: 5)
        let trace = try graph.forward(Tensor.randomNormal(shape: inputShape, seed: 6))
        let features = try trace.activation(model.defaultLayer)
        let (channels, positions) = (features.shape[1], features.shape.dropFirst(2).reduce(1, *))
        let a = features.scalars
        let w = try #require(graph.parameters["classifier.weight"]).scalars
        let b = try #require(graph.parameters["classifier.bias"]).scalars
        let logits = trace.output.scalars
        for sample in 0..<2 {
            for c in 0..<4 {
                var map = [Float](repeating: 0, count: positions)
                for k in 0..<channels {
                    for p in 0..<positions { map[p] += w[c * channels + k] * a[(sample * channels + k) * positions + p] }
                }
                let expected = b[c] + map.reduce(0, +) / Float(positions)
                #expect(abs(logits[sample * 4 + c] - expected) < 1e-4)
            }
        }
        let gradient = try #require(try trace.gradient(of: .logits([2, 2]), at: [model.defaultLayer])[model.defaultLayer])
        #expect(gradient.shape == features.shape)
        let g = gradient.scalars
        for k in 0..<channels {
            #expect(abs(g[k * positions] - w[2 * channels + k] / Float(positions)) < 1e-6)
            #expect(abs(g[(channels + k) * positions + positions - 1] - w[2 * channels + k] / Float(positions)) < 1e-6)
        }
    }

    @Test func invalidConfigurationsAreRejected() {
        expectError(.invalidRequest, mentioning: "got rank 1") {
            try SmallCAMNet(classes: 3, spatialRank: 1).graph(seed: 0)
        }
        expectError(.invalidRequest, mentioning: "stages []") {
            try SmallCAMNet(classes: 3, stageChannels: []).graph(seed: 0)
        }
        expectError(.invalidRequest, mentioning: "got rank 2, input [1, 3, 8, 16, 16]") {
            try SmallCAMNet(classes: 3, spatialRank: 2, inputShape: [1, 3, 8, 16, 16]).graph(seed: 0)
        }
    }
}
