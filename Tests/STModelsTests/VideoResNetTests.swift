import Testing
import STCore
@testable import STModels

@Suite struct VideoResNetTests {
    /// The full-size networks with zero weights, built once each: structure, shapes and counts
    /// without drawing 76 M random numbers in a debug build.
    static let r3d = Result { try VideoResNet(.r3d_18).graph(initialization: .zeros) }
    static let mc3 = Result { try VideoResNet(.mc3_18).graph(initialization: .zeros) }
    static let r2plus1d = Result { try VideoResNet(.r2plus1d_18).graph(initialization: .zeros) }

    static func fullSize(_ variant: VideoResNet.Variant) throws -> Graph {
        switch variant {
        case .r3d_18: try r3d.get()
        case .mc3_18: try mc3.get()
        case .r2plus1d_18: try r2plus1d.get()
        }
    }

    @Test func parameterCountsMatchTorchvision() throws {
        // torchvision.models.video with num_classes=400, sum of numel over parameters() (batch-norm
        // buffers excluded): r3d_18 33,371,472 and r2plus1d_18 31,505,325 (torchvision's weight
        // metadata). mc3_18 from its definition (a stage's blocks: conv1, conv2, two batch norms of
        // 2·C each, and in block 0 of stages 2–4 a 1×1×1 shortcut + batch norm):
        //   stem    3·64·3·7·7 + 2·64                                            =     28,352
        //   layer1  4·(64·64·27) + 4·128                                         =    442,880
        //   layer2  64·128·9 + 3·(128·128·9) + 64·128 + 5·256                    =    525,568
        //   layer3  128·256·9 + 3·(256·256·9) + 128·256 + 5·512                  =  2,099,712
        //   layer4  256·512·9 + 3·(512·512·9) + 256·512 + 5·1024                 =  8,393,728
        //   fc      512·400 + 400                                                =    205,200
        // total 11,695,440, the figure torchvision's MC3_18 metadata states too.
        #expect(try Self.fullSize(.r3d_18).parameterCount == 33_371_472)
        #expect(try Self.fullSize(.mc3_18).parameterCount == 11_695_440)
        #expect(try Self.fullSize(.r2plus1d_18).parameterCount == 31_505_325)
    }

    @Test func multiplyAddsMatchTorchvisionOperationCounts() throws {
        // torchvision's `_ops` (G multiply-adds on 1×3×16×112×112): r3d_18 40.697, mc3_18 43.343,
        // r2plus1d_18 40.519. The r3d stem alone is 64·16·56·56 outputs × 3·3·7·7 = 1.42 G.
        let input = ["input": [1, 3, 16, 112, 112]]
        for (variant, giga) in [(VideoResNet.Variant.r3d_18, 40.697), (.mc3_18, 43.343), (.r2plus1d_18, 40.519)] {
            let macs = try Self.fullSize(variant).multiplyAdds(input)
            #expect(abs(Double(macs) / 1e9 - giga) < 0.01, "\(variant): \(macs)")
        }
    }

    @Test func fullSizeShapesFollowEachVariantsStrides() throws {
        // 112 → 56 (stem) → 56, 28, 14, 7 spatially; time 16 → 16, 8, 4, 2 except mc3_18, whose
        // stages 2–4 never stride in time.
        let input = ["input": [1, 3, 16, 112, 112]]
        let layer4: [VideoResNet.Variant: [Int]] = [
            .r3d_18: [1, 512, 2, 7, 7], .mc3_18: [1, 512, 16, 7, 7], .r2plus1d_18: [1, 512, 2, 7, 7],
        ]
        for (variant, expected) in layer4 {
            let graph = try Self.fullSize(variant)
            let shapes = try graph.inferShapes(input)
            #expect(shapes[try graph.resolve("layer4")] == expected, "\(variant)")
            #expect(shapes["fc"] == [1, 400], "\(variant)")
        }
    }

    @Test func r2plus1dNamesAndMiddleWidthsFollowTorchvision() throws {
        // M = ⌊C_in·C_out·27 / (9·C_in + 3·C_out)⌋: layer1 64,64 → 110,592/768 = 144;
        // layer2.0 64,128 → 221,184/960 = 230; layer4.0 256,512 → 3,538,944/3,840 = 921.
        let state = try Self.fullSize(.r2plus1d_18).stateDict
        let expected: [String: [Int]] = [
            "stem.0.weight": [45, 3, 1, 7, 7], "stem.1.running_mean": [45], "stem.3.weight": [64, 45, 3, 1, 1],
            "stem.4.bias": [64],
            "layer1.0.conv1.0.0.weight": [144, 64, 1, 3, 3], "layer1.0.conv1.0.1.weight": [144],
            "layer1.0.conv1.0.3.weight": [64, 144, 3, 1, 1], "layer1.0.conv1.1.running_var": [64],
            "layer2.0.conv1.0.0.weight": [230, 64, 1, 3, 3], "layer2.0.conv2.0.0.weight": [230, 128, 1, 3, 3],
            "layer2.0.downsample.0.weight": [128, 64, 1, 1, 1], "layer4.0.conv1.0.0.weight": [921, 256, 1, 3, 3],
            "layer4.1.conv2.1.bias": [512], "fc.weight": [400, 512], "fc.bias": [400],
        ]
        for (key, shape) in expected {
            #expect(state[key]?.shape == shape, "\(key)")
        }
    }

    @Test func mc3NamesAndKernelsFollowTorchvision() throws {
        let state = try Self.fullSize(.mc3_18).stateDict
        let expected: [String: [Int]] = [
            "stem.0.weight": [64, 3, 3, 7, 7], "layer1.0.conv1.0.weight": [64, 64, 3, 3, 3],
            "layer2.0.conv1.0.weight": [128, 64, 1, 3, 3], "layer2.0.downsample.0.weight": [128, 64, 1, 1, 1],
            "layer4.1.conv2.0.weight": [512, 512, 1, 3, 3], "layer4.1.conv2.1.running_mean": [512],
        ]
        for (key, shape) in expected {
            #expect(state[key]?.shape == shape, "\(key)")
        }
    }

    @Test func r3dKeepsTorchvisionNamesAndTheR3D18Name() throws {
        let keys = Set(try Self.fullSize(.r3d_18).stateDict.keys)
        for key in ["stem.0.weight", "stem.1.running_var", "layer1.0.conv1.0.weight", "layer2.0.downsample.0.weight",
                    "layer4.1.conv2.1.bias", "fc.weight", "fc.bias"] {
            #expect(keys.contains(key), "missing \(key)")
        }
        let model = R3D18(classes: 400)
        #expect(model.name == "r3d_18")
        #expect(model.defaultLayer == "layer4")
    }

    @Test func seededConvolutionsHaveTorchvisionsFanOutScale() throws {
        // kaiming_normal_(mode='fan_out'): std = √(2 / (O·k)); the stem of width 8 has
        // O·k = 8·3·7·7 = 1176 → std 0.04124, estimated from 8·3·147 = 3528 draws (±2.4 % at 2σ).
        let graph = try VideoResNet(classes: 5, widthMultiplier: 0.125, inputShape: [1, 3, 4, 32, 32]).graph(seed: 3)
        let weights = try #require(graph.parameters["stem.0.weight"]).scalars
        let std = (weights.reduce(0) { $0 + $1 * $1 } / Float(weights.count)).squareRoot()
        #expect(abs(std / (2 / Float(1176)).squareRoot() - 1) < 0.04)
        #expect(graph.parameters["fc.bias"]?.scalars == Array(repeating: 0, count: 5))
    }

    @Test(arguments: [(VideoResNet.Variant.r3d_18, [2, 64, 1, 2, 2]), (.mc3_18, [2, 64, 4, 2, 2]),
                      (.r2plus1d_18, [2, 64, 1, 2, 2])])
    func smallVariantRunsAndGivesAGradientAtLayer4(variant: VideoResNet.Variant, layer4Shape: [Int]) throws {
        // Width 1/8 on 2×3×4×32×32: 32 → 16 (stem) → 16, 8, 4, 2; time 4 → 4, 2, 1, 1 (mc3: 4 throughout).
        let model = VideoResNet(variant, classes: 5, widthMultiplier: 0.125, inputShape: [2, 3, 4, 32, 32])
        let graph = try model.graph(seed: 1)
        let x = Tensor.randomNormal(shape: [2, 3, 4, 32, 32], seed: 2)
        let trace = try graph.forward(x, options: ForwardOptions(observe: [model.defaultLayer]))
        #expect(trace.output.shape == [2, 5])
        #expect(try trace.activation(model.defaultLayer).shape == layer4Shape)
        let gradients = try trace.gradient(of: .logits([0, 3]), at: [model.defaultLayer])
        let gradient = try #require(gradients[model.defaultLayer])
        #expect(gradient.shape == layer4Shape)
        #expect(gradient.scalars.contains { $0 != 0 })
    }
}
