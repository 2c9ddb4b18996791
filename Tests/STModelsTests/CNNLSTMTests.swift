import Testing
import STCore
@testable import STModels

@Suite struct CNNLSTMTests {
    /// The full-size attention model (ResNet-18 backbone, 10 classes) with zero weights, built once.
    static let fullSize = Result { try CNNLSTM(classes: 10, attention: true).graph(initialization: .zeros) }

    /// A small attention model on a plain two-stage backbone, and one forward pass keeping every node.
    static let small = Result { () throws -> (model: CNNLSTM, input: Tensor, trace: Trace) in
        let model = CNNLSTM(classes: 3, backbone: .plain(stageChannels: [8, 16]), hiddenSize: 12, attention: true,
                            attentionSize: 6, inputShape: [2, 3, 5, 16, 16])
        let input = Tensor.randomNormal(shape: [2, 3, 5, 16, 16], seed: 8)
        return (model, input, try model.graph(seed: 7).forward(input))
    }

    @Test func parameterCountsFollowTheDefinition() throws {
        // torchvision resnet18 has 11,689,512 parameters, 512·1000 + 1000 of them in fc: the backbone
        // keeps 11,176,512. LSTM 512 → 256: 4·256·(512 + 256) + 2·4·256 = 788,480. Attention
        // W 256·128 + 128, v 128 (no bias): 33,024. fc 256·10 + 10 = 2,570. Total 12,000,586; without
        // the attention 11,967,562.
        #expect(try Self.fullSize.get().parameterCount == 12_000_586)
        #expect(try CNNLSTM(classes: 10).graph(initialization: .zeros).parameterCount == 11_967_562)
    }

    @Test func fullSizeShapesFoldTimeIntoTheBatch() throws {
        // 16 frames of 112×112 become a batch of 16 images; ResNet-18 reduces 112 to 4 (÷ 32, rounded up).
        let shapes = try Self.fullSize.get().inferShapes(["input": [1, 3, 16, 112, 112]])
        #expect(shapes["frames"] == [16, 3, 112, 112])
        #expect(shapes["backbone.layer4.1.relu"] == [16, 512, 4, 4])
        #expect(shapes["features"] == [1, 16, 512])
        #expect(shapes["lstm"] == [1, 16, 256])
        #expect(shapes[CNNLSTM.attentionWeights] == [1, 16])
        #expect(shapes["context"] == [1, 256])
        #expect(shapes["fc"] == [1, 10])
    }

    @Test func stateDictKeysFollowTorchvisionAndPyTorchLSTM() throws {
        let graph = try Self.fullSize.get()
        let state = graph.stateDict
        let expected: [String: [Int]] = [
            "backbone.conv1.weight": [64, 3, 7, 7], "backbone.bn1.running_mean": [64],
            "backbone.layer1.0.conv1.weight": [64, 64, 3, 3], "backbone.layer2.0.downsample.0.weight": [128, 64, 1, 1],
            "backbone.layer2.0.downsample.1.bias": [128], "backbone.layer4.1.bn2.running_var": [512],
            "lstm.weight_ih_l0": [1024, 512], "lstm.weight_hh_l0": [1024, 256], "lstm.bias_ih_l0": [1024],
            "lstm.bias_hh_l0": [1024], "attention.W.weight": [128, 256], "attention.W.bias": [128],
            "attention.v.weight": [1, 128], "fc.weight": [10, 256], "fc.bias": [10],
        ]
        for (key, shape) in expected {
            #expect(state[key]?.shape == shape, "\(key)")
        }
        #expect(state["attention.v.bias"] == nil)
        #expect(try graph.resolve(CNNLSTM(classes: 10).defaultLayer) == "backbone.layer4.1.relu")
    }

    @Test func plainBackboneKeepsAFourByFourGridPerFrame() throws {
        // 16 × 16 frames, one 2 × 2 max pool between the two stages: 16 channels of 8 × 8, pooled
        // to 4 × 4 → 16 · 16 = 256 features per frame.
        let (_, _, trace) = try Self.small.get()
        #expect(try trace.activation("avgpool").shape == [10, 16, 4, 4])
        #expect(try trace.activation("features").shape == [2, 5, 256])
    }

    @Test func framesAreTheClipsFramesInOrder() throws {
        // frames[n·T + t, c] = x[n, c, t] for every pixel.
        let (_, input, trace) = try Self.small.get()
        let frames = try trace.activation("frames").scalars
        let x = input.scalars
        let (t, pixels) = (5, 16 * 16)
        for n in 0..<2 {
            for frame in 0..<t {
                for c in 0..<3 {
                    let source = ((n * 3 + c) * t + frame) * pixels
                    let destination = ((n * t + frame) * 3 + c) * pixels
                    #expect(Array(frames[destination..<(destination + pixels)]) == Array(x[source..<(source + pixels)]))
                }
            }
        }
    }

    @Test func attentionWeightsSumToOneAndWeightTheContext() throws {
        // a = softmax_t(s) sums to 1 per sample; context[n, j] = Σ_t a[n, t]·h[n, t, j].
        let (_, _, trace) = try Self.small.get()
        let weights = try trace.activation(CNNLSTM.attentionWeights)
        #expect(weights.shape == [2, 5])
        let a = weights.scalars
        let h = try trace.activation("lstm").scalars
        let context = try trace.activation("context").scalars
        for n in 0..<2 {
            #expect(abs(a[(n * 5)..<(n * 5 + 5)].reduce(0, +) - 1) < 1e-6)
            #expect(a[(n * 5)..<(n * 5 + 5)].allSatisfy { $0 > 0 })
            for j in 0..<12 {
                let expected = (0..<5).reduce(Float(0)) { $0 + a[n * 5 + $1] * h[(n * 5 + $1) * 12 + j] }
                #expect(abs(context[n * 12 + j] - expected) < 1e-5)
            }
        }
    }

    @Test func attentionModelGivesAPerFrameGradientAtTheDefaultLayer() throws {
        // Plain stages 8, 16 with one 2× pool: the last ReLU is `backbone.6`, 10 frames × 16 × 8 × 8.
        let (model, input, _) = try Self.small.get()
        #expect(model.defaultLayer == "backbone.6")
        let trace = try model.graph(seed: 7).forward(input, options: ForwardOptions(observe: [model.defaultLayer]))
        #expect(trace.output.shape == [2, 3])
        let gradient = try #require(try trace.gradient(of: .logits([0, 2]), at: [model.defaultLayer])[model.defaultLayer])
        #expect(gradient.shape == [10, 16, 8, 8])
        #expect(gradient.scalars.contains { $0 != 0 })
    }

    @Test func lastStepModelReadsTheFinalHiddenState() throws {
        // Width 1/8 ResNet-18 on 32×32 frames: conv1 16, maxpool 8, layers 8, 4, 2, 1.
        let model = CNNLSTM(classes: 3, backbone: .resnet18, widthMultiplier: 0.125, hiddenSize: 12,
                            inputShape: [2, 3, 4, 32, 32])
        let graph = try model.graph(seed: 9)
        let trace = try graph.forward(Tensor.randomNormal(shape: [2, 3, 4, 32, 32], seed: 10))
        let h = try trace.activation("lstm").scalars
        let context = try trace.activation("context").scalars
        for n in 0..<2 {
            #expect(Array(context[(n * 12)..<(n * 12 + 12)]) == Array(h[((n * 4 + 3) * 12)..<((n * 4 + 4) * 12)]))
        }
        let gradient = try #require(try trace.gradient(of: .logits([1, 1]), at: [model.defaultLayer])[model.defaultLayer])
        #expect(gradient.shape == [8, 64, 1, 1])
        #expect(gradient.scalars.contains { $0 != 0 })
    }
}
