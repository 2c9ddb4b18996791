import Testing
import TestSupport
@testable import STCore

/// Fusion (conv → BN → add → ReLU as one oneDNN call with BN folded in) must change nothing but
/// speed: the same outputs and the same gradients as running every node on its own.
@Suite struct FusionTests {
    /// A torchvision-style basic block with a downsampling shortcut:
    /// relu(bn2(conv2(relu(bn1(conv1(x))))) + bn3(conv3(x))).
    static func residualBlock() throws -> Graph {
        var builder = GraphBuilder(input: "input", shape: [2, 8, 4, 9, 9])
        func bnState(_ channels: Int, seed: UInt64) -> (parameters: [String: Tensor], buffers: [String: Tensor]) {
            (["weight": Tensor.randomUniform(shape: [channels], in: 0.5...1.5, seed: seed),
              "bias": Tensor.randomNormal(shape: [channels], std: 0.1, seed: seed + 1)],
             ["running_mean": Tensor.randomNormal(shape: [channels], std: 0.1, seed: seed + 2),
              "running_var": Tensor.randomUniform(shape: [channels], in: 0.5...2, seed: seed + 3)])
        }
        let strided = ConvolutionGeometry(stride: [1, 2, 2], padding: [1, 1, 1])
        let same = ConvolutionGeometry(spatialRank: 3, padding: 1)
        try builder.add("block.downsample.0", Convolution(geometry: ConvolutionGeometry(stride: [1, 2, 2], padding: [0, 0, 0]), bias: false),
                        inputs: ["input"], parameters: ["weight": Tensor.randomNormal(shape: [16, 8, 1, 1, 1], std: 0.3, seed: 10)])
        let bn3 = bnState(16, seed: 20)
        try builder.add("block.downsample.1", BatchNorm(), inputs: ["block.downsample.0"], parameters: bn3.parameters, buffers: bn3.buffers)
        try builder.add("block.conv1.0", Convolution(geometry: strided, bias: false), inputs: ["input"],
                        parameters: ["weight": Tensor.randomNormal(shape: [16, 8, 3, 3, 3], std: 0.1, seed: 11)])
        let bn1 = bnState(16, seed: 30)
        try builder.add("block.conv1.1", BatchNorm(), inputs: ["block.conv1.0"], parameters: bn1.parameters, buffers: bn1.buffers)
        try builder.add("block.conv1.2", ReLU(), inputs: ["block.conv1.1"])
        try builder.add("block.conv2.0", Convolution(geometry: same, bias: true), inputs: ["block.conv1.2"],
                        parameters: ["weight": Tensor.randomNormal(shape: [16, 16, 3, 3, 3], std: 0.1, seed: 12),
                                     "bias": Tensor.randomNormal(shape: [16], std: 0.1, seed: 13)])
        let bn2 = bnState(16, seed: 40)
        try builder.add("block.conv2.1", BatchNorm(), inputs: ["block.conv2.0"], parameters: bn2.parameters, buffers: bn2.buffers)
        try builder.add("block.add", Add(), inputs: ["block.conv2.1", "block.downsample.1"])
        try builder.add("block.relu", ReLU(), inputs: ["block.add"])
        builder.alias("block", to: "block.relu")
        return try builder.build(output: "block.relu")
    }

    @Test func fusedBlockRunsAsThreeSteps() throws {
        let graph = try Self.residualBlock()
        let plan = ExecutionPlan(graph: graph, observed: [], fuse: true)
        #expect(plan.steps.map(\.name) == ["block.downsample.1", "block.conv1.2", "block.relu"])
        #expect(plan.fusedInto["block.conv2.0"] == "block.relu")
    }

    @Test func observingAMiddleNodeKeepsItUnfused() throws {
        let graph = try Self.residualBlock()
        let plan = ExecutionPlan(graph: graph, observed: ["block.conv2.1"], fuse: true)
        #expect(plan.steps.map(\.name).contains("block.conv2.1"))
        #expect(plan.steps.map(\.name).contains("block.relu"))
    }

    @Test func fusedForwardEqualsNodeByNodeForward() throws {
        let graph = try Self.residualBlock()
        let x = Tensor.randomNormal(shape: [2, 8, 4, 9, 9], seed: 1)
        let fused = try graph.forward(x, options: ForwardOptions(observe: [], differentiable: false)).output
        let separate = try graph.forward(x, options: ForwardOptions(observe: nil)).output
        expectClose(fused.plain(), separate.plain(), .normwise(1e-5))
    }

    @Test(arguments: ReLUBackward.allCases)
    func fusedInputGradientEqualsNodeByNodeGradient(mode: ReLUBackward) throws {
        let graph = try Self.residualBlock()
        let x = Tensor.randomNormal(shape: [2, 8, 4, 9, 9], seed: 2)
        let fusedTrace = try graph.forward(x, options: ForwardOptions(observe: ["input"]))
        let separateTrace = try graph.forward(x, options: ForwardOptions(observe: nil))
        let weights = Tensor.randomNormal(shape: fusedTrace.output.shape, seed: 3)
        let fused = try fusedTrace.gradient(of: .weighted(by: weights), at: ["input"], reluMode: mode)["input"]!
        let separate = try separateTrace.gradient(of: .weighted(by: weights), at: ["input"], reluMode: mode)["input"]!
        expectClose(fused.plain(), separate.plain(), .normwise(1e-5))
    }

    @Test func fusedGradientMatchesFiniteDifferences() throws {
        let graph = try Self.residualBlock()
        let x = Tensor.randomNormal(shape: [2, 8, 4, 9, 9], seed: 4)
        let weights = Tensor.randomNormal(shape: [2, 16, 4, 5, 5], seed: 5)
        let trace = try graph.forward(x, options: ForwardOptions(observe: ["input"]))
        let analytic = try trace.gradient(of: .weighted(by: weights), at: ["input"])["input"]!.plain()
        // Spot-check 40 coordinates: the full numeric gradient would need 2·5184 forward passes.
        var generator = SeededGenerator(seed: 6)
        let scalars = x.scalars
        for _ in 0..<40 {
            let index = Int(generator.next() % UInt64(scalars.count))
            func loss(_ delta: Float) throws -> Double {
                var perturbed = scalars
                perturbed[index] += delta
                let y = try graph.forward(Tensor(shape: x.shape, scalars: perturbed),
                                          options: ForwardOptions(observe: [], differentiable: false)).output
                return zip(y.scalars, weights.scalars).reduce(0) { $0 + Double($1.0) * Double($1.1) }
            }
            let numeric = (try loss(1e-2) - loss(-1e-2)) / 2e-2
            let value = Double(analytic.scalars[index])
            #expect(abs(numeric - value) <= 2e-2 * max(1, abs(value)), "coordinate \(index): \(value) vs \(numeric)")
        }
    }

    @Test func fusedWeightsFollowParameterUpdates() throws {
        var graph = try Self.residualBlock()
        let x = Tensor.randomNormal(shape: [2, 8, 4, 9, 9], seed: 7)
        let before = try graph.forward(x, options: ForwardOptions(observe: [], differentiable: false)).output
        graph.buffers["block.conv2.1.running_var"]!.withUnsafeMutableBufferPointer { values in
            for index in values.indices { values[index] *= 4 }
        }
        let fused = try graph.forward(x, options: ForwardOptions(observe: [], differentiable: false)).output
        let separate = try graph.forward(x, options: ForwardOptions(observe: nil)).output
        expectClose(fused.plain(), separate.plain(), .normwise(1e-5))
        #expect(normwiseRelativeError(fused.plain(), before.plain()) > 1e-2)
    }
}
