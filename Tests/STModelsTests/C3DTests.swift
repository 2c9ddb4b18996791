import Testing
import STCore
import TestSupport
@testable import STModels

@Suite struct C3DTests {
    /// The full-size network (101 classes) with zero weights, built once: 78 M random draws would
    /// take about 15 s in a debug build, and structure, shapes and counts do not depend on them.
    static let fullSize = Result { try C3D(classes: 101).graph(initialization: .zeros) }

    @Test func parameterCountFollowsTheDefinition() throws {
        // Convolutions 3×3×3 with bias, (C_in·27 + 1)·C_out each:
        //   conv1 (3·27+1)·64 = 5,248          conv2 (64·27+1)·128 = 221,312
        //   conv3a (128·27+1)·256 = 884,992    conv3b (256·27+1)·256 = 1,769,728
        //   conv4a (256·27+1)·512 = 3,539,456  conv4b, conv5a, conv5b (512·27+1)·512 = 7,078,400 each
        // Linear layers (in + 1)·out: fc6 8193·4096 = 33,558,528, fc7 4097·4096 = 16,781,312,
        // fc8 4097·101 = 413,797. Total 78,409,573.
        #expect(try Self.fullSize.get().parameterCount == 78_409_573)
    }

    @Test func multiplyAddsAreTheKnownThirtyEightPointFiveGiga() throws {
        // Σ C_out·T·H·W·C_in·27 over the convolutions at 16×112×112 (conv1: 64·16·112·112·81 =
        // 1.04 G, …) plus 8192·4096 + 4096·4096 + 4096·101 for the linear layers: 38,547,378,176.
        let macs = try Self.fullSize.get().multiplyAdds(["input": [1, 3, 16, 112, 112]])
        #expect(macs == 38_547_378_176)
    }

    @Test func fullSizeShapesMatchTheReferenceView() throws {
        // pool5 with padding (0,1,1) turns 512×2×7×7 into 512×1×4×4 = 8192, the size of
        // x.view(-1, 8192).
        let shapes = try Self.fullSize.get().inferShapes(["input": [1, 3, 16, 112, 112]])
        #expect(shapes["conv5b.relu"] == [1, 512, 2, 7, 7])
        #expect(shapes["pool5"] == [1, 512, 1, 4, 4])
        #expect(shapes["flatten"] == [1, 8192])
        #expect(shapes["fc8"] == [1, 101])
    }

    @Test func stateDictHoldsExactlyTheReferenceKeys() throws {
        let state = try Self.fullSize.get().stateDict
        let layers = ["conv1", "conv2", "conv3a", "conv3b", "conv4a", "conv4b", "conv5a", "conv5b", "fc6", "fc7", "fc8"]
        #expect(Set(state.keys) == Set(layers.flatMap { ["\($0).weight", "\($0).bias"] }))
        #expect(state["conv1.weight"]?.shape == [64, 3, 3, 3, 3])
        #expect(state["conv5b.weight"]?.shape == [512, 512, 3, 3, 3])
        #expect(state["fc6.weight"]?.shape == [4096, 8192])
        #expect(state["fc8.bias"]?.shape == [101])
    }

    @Test func defaultLayerIsTheRectifiedConv5b() throws {
        let graph = try Self.fullSize.get()
        #expect(C3D.defaultLayer == "conv5b.relu")
        #expect(try graph.node(named: C3D.defaultLayer).op is ReLU)
        #expect(try graph.node(named: C3D.defaultLayer).inputs == ["conv5b"])
    }

    @Test func seededConvolutionsHaveKaimingFanInScale() throws {
        // kaiming_normal_ (fan-in): conv1 of width 8 has fan-in 3·27 = 81 → std √(2/81) = 0.157,
        // estimated from 8·81 = 648 draws (±5.6 % at 2σ); biases lie in ±1/√81.
        let graph = try C3D(classes: 5, widthMultiplier: 0.125, inputShape: [1, 3, 16, 32, 32]).graph(seed: 4)
        let weights = try #require(graph.parameters["conv1.weight"]).scalars
        let std = (weights.reduce(0) { $0 + $1 * $1 } / Float(weights.count)).squareRoot()
        #expect(abs(std / (2 / Float(81)).squareRoot() - 1) < 0.08)
        let bias = try #require(graph.parameters["conv1.bias"]).scalars
        #expect(bias.allSatisfy { abs($0) <= 1 / Float(9) })
    }

    @Test func smallVariantRunsAndGivesAGradientAtTheDefaultLayer() throws {
        // Width 1/8 on 2×3×16×32×32: conv5b has 64 channels at 2×2×2; pool5 → 64×1×2×2 = 256
        // features into fc6 (4096/8 = 512 wide).
        let model = C3D(classes: 5, widthMultiplier: 0.125, inputShape: [2, 3, 16, 32, 32])
        let graph = try model.graph(seed: 1)
        #expect(graph.parameters["fc6.weight"]?.shape == [512, 256])
        let x = Tensor.randomNormal(shape: [2, 3, 16, 32, 32], seed: 2)
        let trace = try graph.forward(x, options: ForwardOptions(observe: [model.defaultLayer]))
        #expect(trace.output.shape == [2, 5])
        let activation = try trace.activation(model.defaultLayer)
        #expect(activation.shape == [2, 64, 2, 2, 2])
        #expect(activation.scalars.allSatisfy { $0 >= 0 })
        let gradients = try trace.gradient(of: .logits([1, 4]), at: [model.defaultLayer])
        let gradient = try #require(gradients[model.defaultLayer])
        #expect(gradient.shape == [2, 64, 2, 2, 2])
        #expect(gradient.scalars.contains { $0 != 0 })
    }

    @Test func invalidConfigurationsAreRejected() {
        expectError(.invalidRequest, mentioning: "classes ≥ 1", "got 0, ") {
            try C3D(classes: 0).graph(initialization: .zeros)
        }
        expectError(.invalidRequest, mentioning: "N×C×T×H×W input", "[1, 3, 112, 112]") {
            try C3D(inputShape: [1, 3, 112, 112]).graph(initialization: .zeros)
        }
        // Eight frames leave pool5 a single time step, shorter than its 2-frame window.
        expectError(.shape, about: "pool5", mentioning: "window [2, 2, 2] is larger than the padded input") {
            try C3D(widthMultiplier: 0.125, inputShape: [1, 3, 8, 112, 112]).graph(initialization: .zeros)
        }
    }
}
