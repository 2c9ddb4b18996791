import Testing
@testable import STCore

@Suite struct NormalizationTests {
    static let shapes: [[Int]] = [[4, 3], [2, 5, 7, 3], [2, 3, 3, 5, 4], [3, 17, 2, 3]]

    static func state(channels: Int) -> (parameters: [String: Tensor], buffers: [String: Tensor]) {
        (["weight": Tensor.randomUniform(shape: [channels], in: 0.5...1.5, seed: 11),
          "bias": Tensor.randomNormal(shape: [channels], seed: 12)],
         ["running_mean": Tensor.randomNormal(shape: [channels], seed: 13),
          "running_var": Tensor.randomUniform(shape: [channels], in: 0.5...2, seed: 14)])
    }

    @Test(arguments: shapes)
    func inferenceUsesTheRunningStatistics(shape: [Int]) throws {
        let (parameters, buffers) = Self.state(channels: shape[1])
        let x = Tensor.randomNormal(shape: shape, seed: 1)
        let harness = OpHarness(BatchNorm(epsilon: 1e-3), inputs: [x], parameters: parameters, buffers: buffers)
        let expected = Reference.batchNormInference(x, mean: buffers["running_mean"]!, variance: buffers["running_var"]!,
                                                    weight: parameters["weight"]!, bias: parameters["bias"]!, epsilon: 1e-3)
        FiniteDifference.expectClose(try harness.forward().plain(), expected, tolerance: 1e-4)
    }

    @Test(arguments: shapes)
    func trainingUsesBatchStatisticsAndUpdatesTheRunningOnes(shape: [Int]) throws {
        let (parameters, buffers) = Self.state(channels: shape[1])
        let x = Tensor.randomNormal(shape: shape, mean: 0.5, std: 2, seed: 2)
        let harness = OpHarness(BatchNorm(momentum: 0.1), inputs: [x], parameters: parameters, buffers: buffers,
                                training: true)
        let expected = Reference.batchNormTraining(x, weight: parameters["weight"]!, bias: parameters["bias"]!, epsilon: 1e-5)
        FiniteDifference.expectClose(try harness.forward().plain(), expected.output, tolerance: 1e-4)

        // running ← 0.9·running + 0.1·batch, the variance unbiased by n/(n − 1), n = N·spatial.
        let trace = try harness.graph().forward(["x0": x], options: ForwardOptions(training: true))
        let n = Float(x.count / shape[1])
        let mean = zip(buffers["running_mean"]!.scalars, expected.mean.scalars).map { 0.9 * $0 + 0.1 * $1 }
        let variance = zip(buffers["running_var"]!.scalars, expected.variance.scalars).map {
            0.9 * $0 + 0.1 * $1 * n / (n - 1)
        }
        FiniteDifference.expectClose(trace.updatedBuffers["op.running_mean"]!, Tensor(shape: [shape[1]], scalars: mean),
                                     tolerance: 1e-5)
        FiniteDifference.expectClose(trace.updatedBuffers["op.running_var"]!, Tensor(shape: [shape[1]], scalars: variance),
                                     tolerance: 1e-5)
    }

    @Test(arguments: [false, true])
    func backwardMatchesFiniteDifferences(training: Bool) throws {
        let shape = [3, 4, 5, 3]
        let (parameters, buffers) = Self.state(channels: 4)
        let harness = OpHarness(BatchNorm(), inputs: [Tensor.randomNormal(shape: shape, seed: 3)],
                                parameters: parameters, buffers: buffers, training: training)
        try harness.checkGradients(tolerance: 5e-3)
    }

    @Test func wrongChannelCountIsAShapeError() throws {
        let (parameters, buffers) = Self.state(channels: 3)
        var builder = GraphBuilder(input: "input", shape: [1, 4, 2, 2])
        try builder.add("bn1", BatchNorm(), inputs: ["input"], parameters: parameters, buffers: buffers)
        #expect { try builder.build(output: "bn1") } throws: { "\($0)".hasPrefix("bn1: ") }
    }
}
