import Testing
@testable import STCore

/// End-to-end training: forward in training mode, cross-entropy gradients, buffer updates and an
/// optimiser step, on a problem a tiny conv net can only solve by learning.
@Suite struct TrainingSmokeTests {
    /// `count` noisy 8 × 8 single-channel images of a bright 5-pixel bar, horizontal (label 0) or
    /// vertical (label 1), at a random place; pixel noise N(0, 0.3²). Labels alternate.
    ///
    /// The classes differ in orientation, not position, because a conv net that ends in global
    /// average pooling is (up to border effects) blind to where a pattern is.
    static func bars(count: Int, seed: UInt64) -> (images: Tensor, labels: [Int]) {
        var generator = SeededGenerator(seed: seed)
        var pixels = (0..<count * 64).map { _ in 0.3 * generator.nextNormal() }
        let labels = (0..<count).map { $0 % 2 }
        for (sample, label) in labels.enumerated() {
            let line = Int(generator.next() % 8), start = Int(generator.next() % 4)
            for along in start..<start + 5 {
                let (row, column) = label == 0 ? (line, along) : (along, line)
                pixels[sample * 64 + row * 8 + column] += 1
            }
        }
        return (Tensor(shape: [count, 1, 8, 8], scalars: pixels), labels)
    }

    /// conv (1 → 4, 3 × 3, pad 1, no bias) → bn → relu → global average pool → flatten → fc (4 → 2),
    /// with PyTorch's default initialisation.
    static func network() throws -> Graph {
        var builder = GraphBuilder(shape: [1, 1, 8, 8])
        let conv = try builder.add("conv", Convolution(geometry: ConvolutionGeometry(spatialRank: 2, padding: 1), bias: false),
                                   inputs: ["input"], parameters: ["weight": .kaimingUniform(shape: [4, 1, 3, 3], seed: 1)])
        let bn = try builder.add("bn", BatchNorm(), inputs: [conv],
                                 parameters: ["weight": Tensor(repeating: 1, shape: [4]), "bias": Tensor(zeros: [4])],
                                 buffers: ["running_mean": Tensor(zeros: [4]), "running_var": Tensor(repeating: 1, shape: [4])])
        let relu = try builder.add("relu", ReLU(), inputs: [bn])
        let pool = try builder.add("avgpool", AdaptiveAveragePool.global(spatialRank: 2), inputs: [relu])
        let flat = try builder.add("flatten", Flatten(startDim: 1), inputs: [pool])
        let fc = try builder.add("fc", Linear(), inputs: [flat],
                                 parameters: ["weight": .kaimingUniform(shape: [2, 4], seed: 2),
                                              "bias": .kaimingUniform(shape: [2], fanIn: 4, seed: 3)])
        return try builder.build(output: fc)
    }

    /// Fraction of images whose largest logit (inference mode, running statistics) is their label.
    static func accuracy(_ graph: Graph, _ data: (images: Tensor, labels: [Int])) throws -> Double {
        let logits = try graph.forward(data.images, options: ForwardOptions(observe: [], differentiable: false)).output
        let correct = data.labels.indices.filter { sample in
            let scores = (0..<2).map { logits[sample, $0] }
            return scores.indices.max { scores[$0] < scores[$1] } == data.labels[sample]
        }
        return Double(correct.count) / Double(data.labels.count)
    }

    static func train(_ optimizer: some Optimizer, steps: Int) throws -> (graph: Graph, losses: [Float]) {
        var optimizer = optimizer
        var graph = try network()
        let data = bars(count: 64, seed: 7)
        let objective = Objective.crossEntropy(labels: data.labels)
        var losses: [Float] = []
        for _ in 0..<steps {
            let trace = try graph.forward(data.images, options: ForwardOptions(training: true))
            losses.append(try objective.values(trace.output)[0])
            let gradients = try trace.parameterGradients(of: objective)
            graph.applyBufferUpdates(trace)
            optimizer.step(&graph, gradients: gradients)
        }
        return (graph, losses)
    }

    @Test func tinyConvNetLearnsBarOrientationWithAdam() throws {
        let (graph, losses) = try Self.train(Adam(learningRate: 0.05), steps: 80)
        #expect(losses.last! < losses.first! / 4)
        #expect(try Self.accuracy(graph, Self.bars(count: 64, seed: 7)) >= 0.95)
        #expect(try Self.accuracy(graph, Self.bars(count: 64, seed: 8)) >= 0.95)
    }

    @Test func tinyConvNetLearnsBarOrientationWithSGDMomentum() throws {
        let (graph, losses) = try Self.train(SGD(learningRate: 0.2, momentum: 0.9, weightDecay: 1e-4), steps: 80)
        #expect(losses.last! < losses.first! / 4)
        #expect(try Self.accuracy(graph, Self.bars(count: 64, seed: 7)) >= 0.95)
        #expect(try Self.accuracy(graph, Self.bars(count: 64, seed: 8)) >= 0.95)
    }

    @Test func trainingForwardPassesMoveTheRunningStatistics() throws {
        // One training pass with momentum 0.1 from running_mean = 0: r = 0.1·batch mean ≠ 0.
        var graph = try Self.network()
        let trace = try graph.forward(Self.bars(count: 8, seed: 9).images, options: ForwardOptions(training: true))
        graph.applyBufferUpdates(trace)
        #expect(Set(trace.updatedBuffers.keys) == ["bn.running_mean", "bn.running_var"])
        #expect(graph.buffers["bn.running_mean"]! == trace.updatedBuffers["bn.running_mean"]!)
        #expect(graph.buffers["bn.running_mean"]!.scalars != [0, 0, 0, 0])
    }
}
