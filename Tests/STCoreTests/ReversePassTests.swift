import Testing
import TestSupport
@testable import STCore

/// The identity, whose backward pass throws: a node the reverse pass must never visit.
private struct BackwardFails: Op {
    var typeName: String { "BackwardFails" }

    func outputShape(inputs: [[Int]], parameters: [[Int]]) throws -> [Int] { inputs[0] }

    func forward(_ inputs: [Tensor], parameters: [Tensor], context: inout ForwardContext) throws -> OpOutput {
        OpOutput(inputs[0])
    }

    func backward(_ gradOutput: Tensor, record: OpRecord, needInputs: [Bool],
                  context: BackwardContext) throws -> OpGradients {
        throw STError.invalidRequest("the reverse pass visited BackwardFails")
    }
}

@Suite struct ReversePassTests {
    // MARK: ReLU backward modes

    /// x = [−1, 2, 3, −4] through one ReLU node, seeded with g = [5, −6, 7, 8].
    func reluGradient(_ mode: ReLUBackward) throws -> [Float] {
        let harness = OpHarness(ReLU(), inputs: [Tensor(shape: [1, 4], scalars: [-1, 2, 3, -4])])
        let trace = try harness.graph().forward(harness.inputs[0])
        let g = Tensor(shape: [1, 4], scalars: [5, -6, 7, 8])
        return try trace.gradient(of: .weighted(by: g), at: ["x0"], reluMode: mode)["x0"]!.scalars
    }

    @Test func exactReLUBackwardPassesTheGradientWhereTheInputIsPositive() throws {
        // g·[x > 0] = [5·0, −6·1, 7·1, 8·0]
        #expect(try reluGradient(.exact) == [0, -6, 7, 0])
    }

    @Test func guidedReLUBackwardAlsoDropsNegativeGradients() throws {
        // g·[x > 0]·[g > 0] = [5·0·1, −6·1·0, 7·1·1, 8·0·1]
        #expect(try reluGradient(.guided) == [0, 0, 7, 0])
    }

    @Test func deconvnetReLUBackwardPassesPositiveGradientsWhateverTheInput() throws {
        // g·[g > 0] = [5·1, −6·0, 7·1, 8·1]
        #expect(try reluGradient(.deconvnet) == [5, 0, 7, 8])
    }

    // MARK: A small network

    /// input `2 × 2 × 6 × 6` → conv (3 × 3, pad 1, 3 channels, no bias) → bn → relu →
    /// max pool 2 × 2 → flatten → fc (27 → 4).
    static func network(parameters: [String: Tensor] = [:]) throws -> Graph {
        var builder = GraphBuilder(shape: [2, 2, 6, 6])
        let conv = try builder.add("conv", Convolution(geometry: ConvolutionGeometry(spatialRank: 2, padding: 1), bias: false),
                                   inputs: ["input"],
                                   parameters: ["weight": Tensor.randomNormal(shape: [3, 2, 3, 3], std: 0.5, seed: 11)])
        let bn = try builder.add("bn", BatchNorm(), inputs: [conv],
                                 parameters: ["weight": Tensor.randomUniform(shape: [3], in: 0.5...1.5, seed: 12),
                                              "bias": Tensor.randomUniform(shape: [3], in: -0.5...0.5, seed: 13)],
                                 buffers: ["running_mean": Tensor.randomUniform(shape: [3], in: -0.2...0.2, seed: 14),
                                           "running_var": Tensor.randomUniform(shape: [3], in: 1...3, seed: 15)])
        let relu = try builder.add("relu", ReLU(), inputs: [bn])
        let pool = try builder.add("pool", Pooling(.max, geometry: PoolingGeometry(kernel: [2, 2])), inputs: [relu])
        let flat = try builder.add("flatten", Flatten(startDim: 1), inputs: [pool])
        let fc = try builder.add("fc", Linear(), inputs: [flat],
                                 parameters: ["weight": Tensor.randomNormal(shape: [4, 27], std: 0.3, seed: 16),
                                              "bias": Tensor.randomNormal(shape: [4], seed: 17)])
        var graph = try builder.build(output: fc)
        graph.parameters.merge(parameters) { _, new in new }
        return graph
    }

    static let input = Tensor.randomNormal(shape: [2, 2, 6, 6], seed: 10)
    static let outputWeights = Tensor.randomNormal(shape: [2, 4], seed: 18)

    /// L = Σ w ⊙ network(x).
    static func loss(_ graph: Graph, _ x: Tensor, training: Bool) throws -> Float {
        let y = try graph.forward(x, options: ForwardOptions(training: training)).output
        return zip(y.scalars, outputWeights.scalars).reduce(0) { $0 + $1.0 * $1.1 }
    }

    @Test func inputGradientOfConvBNReLUPoolLinearMatchesFiniteDifferences() throws {
        let graph = try Self.network()
        let analytic = try graph.forward(Self.input).gradient(of: .weighted(by: Self.outputWeights), at: ["input"])["input"]!
        let numeric = try FiniteDifference.gradient(of: { try Self.loss(graph, $0, training: false) },
                                                    at: Self.input, epsilon: 1e-3)
        expectClose(analytic.plain(), numeric, .normwise(1e-2))
    }

    @Test func parameterGradientsOfConvBNReLUPoolLinearMatchFiniteDifferencesInTraining() throws {
        let graph = try Self.network()
        let trace = try graph.forward(Self.input, options: ForwardOptions(training: true))
        let analytic = try trace.parameterGradients(of: .weighted(by: Self.outputWeights))
        #expect(Set(analytic.keys) == Set(graph.parameters.keys))
        for (key, value) in graph.parameters.sorted(by: { $0.key < $1.key }) {
            let numeric = try FiniteDifference.gradient(of: { p in
                try Self.loss(try Self.network(parameters: [key: p]), Self.input, training: true)
            }, at: value, epsilon: 1e-3)
            guard let gradient = analytic[key] else { continue }
            expectClose(gradient.plain(), numeric, .normwise(1e-2))
        }
    }

    // MARK: Where the reverse pass stops

    @Test func stoppingAtAMiddleNodeGivesTheSameGradientThereAsTheFullPass() throws {
        let trace = try Self.network().forward(Self.input)
        let objective = Objective.weighted(by: Self.outputWeights)
        let stopped = try trace.gradient(of: objective, at: ["relu"])
        let full = try trace.gradient(of: objective, at: ["relu", "input"])
        #expect(stopped["relu"]! == full["relu"]!)
        #expect(stopped["input"] == nil)
    }

    @Test func askingForALateNodeDoesNotVisitEarlierNodes() throws {
        // input → early (backward throws) → relu → fc: gradients at relu, or even at early itself,
        // never run early's backward; only a gradient at the input does.
        var builder = GraphBuilder(shape: [1, 3])
        let early = try builder.add("early", BackwardFails(), inputs: ["input"])
        let relu = try builder.add("relu", ReLU(), inputs: [early])
        let fc = try builder.add("fc", Linear(), inputs: [relu],
                                 parameters: ["weight": Tensor(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 6]),
                                              "bias": Tensor(zeros: [2])])
        let trace = try builder.build(output: fc).forward(Tensor(shape: [1, 3], scalars: [1, -1, 2]))
        // ∂(y₀)/∂relu = W[0, :] = [1, 2, 3]; ∂/∂early = [1, 2, 3]·[x > 0] = [1, 0, 3].
        let gradients = try trace.gradient(of: .logits([0]), at: ["relu", "early"])
        #expect(gradients["relu"]!.scalars == [1, 2, 3])
        #expect(gradients["early"]!.scalars == [1, 0, 3])
        #expect(throws: STError.invalidRequest("the reverse pass visited BackwardFails")) {
            try trace.gradient(of: .logits([0]), at: ["input"])
        }
    }

    // MARK: Objectives and errors

    @Test func logitsObjectiveEqualsWeightingByAOneHotSeed() throws {
        // Classes [1, 3] of a 2 × 4 output: the one-hot rows [0, 1, 0, 0] and [0, 0, 0, 1].
        let trace = try Self.network().forward(Self.input)
        let oneHot = Tensor(shape: [2, 4], scalars: [0, 1, 0, 0, 0, 0, 0, 1])
        let viaLogits = try trace.gradient(of: .logits([1, 3]), at: ["input", "relu"])
        let viaWeights = try trace.gradient(of: .weighted(by: oneHot), at: ["input", "relu"])
        #expect(viaLogits["input"]! == viaWeights["input"]!)
        #expect(viaLogits["relu"]! == viaWeights["relu"]!)
        #expect(try Objective.logits([1, 3]).values(trace.output) == [trace.output[0, 1], trace.output[1, 3]])
    }

    @Test func gradientAtAnUnknownNodeThrowsUnknownNode() throws {
        let trace = try Self.network().forward(Self.input)
        #expect(throws: STError.unknownNode("layer9")) {
            try trace.gradient(of: .sum, at: ["relu", "layer9"])
        }
    }
}
