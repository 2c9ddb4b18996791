import Testing
import STCore
@testable import STModels

@Suite struct PoseNetTests {
    /// The full-size network (1.6 M parameters, cheap enough to draw), built once.
    static let fullSize = Result { try PoseNet().graph(seed: 0) }

    @Test func parameterCountFollowsSfMLearner() throws {
        // (C_in·k² + 1)·C_out per convolution: conv1 (9·49+1)·16 = 7,072, conv2 (16·25+1)·32 = 12,832,
        // conv3 (32·9+1)·64 = 18,496, conv4 (64·9+1)·128 = 73,856, conv5 (128·9+1)·256 = 295,168,
        // conv6 = conv7 = (256·9+1)·256 = 590,080, pose_pred (256+1)·12 = 3,084. Total 1,590,668.
        #expect(try Self.fullSize.get().parameterCount == 1_590_668)
    }

    @Test func fullSizeForwardGivesTwoSixDoFMotions() throws {
        // 128×416 halves seven times with padding (k−1)/2: conv5 4×13, conv6 2×7, conv7 1×4.
        let graph = try Self.fullSize.get()
        let shapes = try graph.inferShapes(["input": [1, 9, 128, 416]])
        #expect(shapes[try graph.resolve("conv5")] == [1, 256, 4, 13])
        #expect(shapes[try graph.resolve("conv7")] == [1, 256, 1, 4])
        let trace = try graph.forward(Tensor.randomUniform(shape: [1, 9, 128, 416], seed: 1),
                                      options: ForwardOptions(observe: [PoseNet.defaultLayer], differentiable: false))
        #expect(trace.output.shape == [1, 2, 6])
        #expect(try trace.activation(PoseNet.defaultLayer).shape == [1, 256, 4, 13])
    }

    @Test func stateDictKeysFollowTheConvHelper() throws {
        let state = try Self.fullSize.get().stateDict
        #expect(state.count == 16)
        #expect(state["conv1.0.weight"]?.shape == [16, 9, 7, 7])
        #expect(state["conv2.0.weight"]?.shape == [32, 16, 5, 5])
        #expect(state["conv7.0.bias"]?.shape == [256])
        #expect(state["pose_pred.weight"]?.shape == [12, 256, 1, 1])
        #expect(state["pose_pred.bias"]?.scalars == Array(repeating: 0, count: 12))
    }

    @Test func seededWeightsAreXavierUniform() throws {
        // xavier_uniform_: U(±√(6/(fan_in + fan_out))); conv1: fan_in 9·49 = 441, fan_out 16·49 = 784,
        // bound √(6/1225) = 0.0700; its 7,056 draws reach past 99 % of the bound.
        let weights = try #require(try Self.fullSize.get().parameters["conv1.0.weight"]).scalars
        let bound = (6 / Float(1225)).squareRoot()
        #expect(weights.allSatisfy { abs($0) <= bound })
        #expect((weights.map(abs).max() ?? 0) > 0.99 * bound)
    }

    @Test func poseIsAHundredthOfTheSpatialMeanOfPosePred() throws {
        // pose[n, r, j] = 0.01 · mean_{h,w} pose_pred[n, 6r + j, h, w].
        let model = PoseNet(widthMultiplier: 0.25, inputShape: [2, 9, 64, 96])
        let graph = try model.graph(seed: 2)
        let trace = try graph.forward(Tensor.randomNormal(shape: [2, 9, 64, 96], seed: 3))
        #expect(trace.output.shape == [2, 2, 6])
        let prediction = try trace.activation("pose_pred")
        let cells = prediction.shape[2] * prediction.shape[3]
        let p = prediction.scalars
        let pose = trace.output.scalars
        for index in 0..<(2 * 12) {
            let mean = p[(index * cells)..<((index + 1) * cells)].reduce(0, +) / Float(cells)
            #expect(abs(pose[index] - 0.01 * mean) < 1e-6)
        }
    }

    @Test func smallVariantGivesAGradientAtConv5() throws {
        // A regression target: Σ_ij t_ij · pose_ij for a fixed t (the vector–Jacobian seed).
        let model = PoseNet(widthMultiplier: 0.25, inputShape: [2, 9, 64, 96])
        let graph = try model.graph(seed: 2)
        let trace = try graph.forward(Tensor.randomNormal(shape: [2, 9, 64, 96], seed: 3),
                                      options: ForwardOptions(observe: [model.defaultLayer]))
        let target = Tensor.randomNormal(shape: [2, 2, 6], seed: 4)
        let gradients = try trace.gradient(of: .weighted(by: target), at: [model.defaultLayer])
        let gradient = try #require(gradients[model.defaultLayer])
        #expect(gradient.shape == [2, 64, 2, 3])
        #expect(gradient.scalars.contains { $0 != 0 })
    }
}
