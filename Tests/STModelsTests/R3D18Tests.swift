import Testing
import STCore
@testable import STModels

@Suite struct R3D18Tests {
    /// The full-size network, built once (33 M random weights take a while in a debug build).
    static let fullSize = Result { try R3D18().graph() }

    @Test func parameterCountMatchesTorchvision() throws {
        // torchvision.models.video.r3d_18(num_classes=400) has 33,371,472 parameters
        // (sum of numel over parameters(), batch-norm buffers excluded).
        let graph = try Self.fullSize.get()
        #expect(graph.parameterCount == 33_371_472)
    }

    @Test func multiplyAddsMatchTheStatedFortyPointSevenGiga() throws {
        // Convolutions and the classifier of r3d_18 on 1×3×16×112×112: 40.7 G multiply-adds
        // (the stem alone: 64·16·56·56 outputs × 3·3·7·7 = 1.42 G).
        let graph = try Self.fullSize.get()
        let macs = try graph.multiplyAdds(["input": [1, 3, 16, 112, 112]])
        #expect(abs(Double(macs) / 1e9 - 40.7) < 0.1)
    }

    @Test func stateDictKeysFollowTorchvisionNames() throws {
        let keys = Set(try Self.fullSize.get().stateDict.keys)
        for key in ["stem.0.weight", "stem.1.running_var", "layer1.0.conv1.0.weight", "layer2.0.downsample.0.weight",
                    "layer4.1.conv2.1.bias", "fc.weight", "fc.bias"] {
            #expect(keys.contains(key), "missing \(key)")
        }
    }

    @Test func smallVariantRunsAndExposesLayer4() throws {
        let model = R3D18(classes: 5, widthMultiplier: 0.125, inputShape: [2, 3, 4, 32, 32])
        let graph = try model.graph(seed: 1)
        let x = Tensor.randomNormal(shape: [2, 3, 4, 32, 32], seed: 2)
        let trace = try graph.forward(x, options: ForwardOptions(observe: [R3D18.defaultLayer]))
        #expect(trace.output.shape == [2, 5])
        #expect(try trace.activation("layer4").shape == [2, 64, 1, 2, 2])
        let gradients = try trace.gradient(of: .logits([0, 3]), at: ["layer4"])
        #expect(gradients["layer4"]!.shape == [2, 64, 1, 2, 2])
    }
}
