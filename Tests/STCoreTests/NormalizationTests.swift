import Testing
import TestSupport
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
        expectClose(try harness.forward().plain(), expected, .normwise(1e-4))
    }

    @Test(arguments: shapes)
    func trainingUsesBatchStatisticsAndUpdatesTheRunningOnes(shape: [Int]) throws {
        let (parameters, buffers) = Self.state(channels: shape[1])
        let x = Tensor.randomNormal(shape: shape, mean: 0.5, std: 2, seed: 2)
        let harness = OpHarness(BatchNorm(momentum: 0.1), inputs: [x], parameters: parameters, buffers: buffers,
                                training: true)
        let expected = Reference.batchNormTraining(x, weight: parameters["weight"]!, bias: parameters["bias"]!, epsilon: 1e-5)
        expectClose(try harness.forward().plain(), expected.output, .normwise(1e-4))

        // running ← 0.9·running + 0.1·batch, the variance unbiased by n/(n − 1), n = N·spatial.
        let trace = try harness.graph().forward(["x0": x], options: ForwardOptions(training: true))
        let n = Float(x.count / shape[1])
        let mean = zip(buffers["running_mean"]!.scalars, expected.mean.scalars).map { 0.9 * $0 + 0.1 * $1 }
        let variance = zip(buffers["running_var"]!.scalars, expected.variance.scalars).map {
            0.9 * $0 + 0.1 * $1 * n / (n - 1)
        }
        expectClose(trace.updatedBuffers["op.running_mean"]!, Tensor(shape: [shape[1]], scalars: mean),
                    .normwise(1e-5))
        expectClose(trace.updatedBuffers["op.running_var"]!, Tensor(shape: [shape[1]], scalars: variance),
                    .normwise(1e-5))
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
        expectError(.shape, about: "bn1", mentioning: "batch norm state [3] for 4 channels") {
            try builder.build(output: "bn1")
        }
    }

    // MARK: Layer norm

    static let layerNormCases: [(shape: [Int], axis: Int)] = [
        ([4, 6], -1), ([2, 5, 8], 2), ([2, 5, 8], -2), ([3, 4, 2, 3], 1), ([2, 3, 7], 0),
    ]

    static func layerNormParameters(_ shape: [Int], axis: Int) -> [String: Tensor] {
        let normalised = Array(shape[(axis < 0 ? axis + shape.count : axis)...])
        return ["weight": Tensor.randomUniform(shape: normalised, in: 0.5...1.5, seed: 21),
                "bias": Tensor.randomNormal(shape: normalised, seed: 22)]
    }

    @Test(arguments: layerNormCases.indices, [false, true])
    func layerNormMatchesTheReferenceOverTheTrailingAxes(index: Int, training: Bool) throws {
        let (shape, axis) = Self.layerNormCases[index]
        let parameters = Self.layerNormParameters(shape, axis: axis)
        let x = Tensor.randomNormal(shape: shape, mean: 0.5, std: 2, seed: 23)
        let harness = OpHarness(LayerNorm(axis: axis, epsilon: 1e-5), inputs: [x], parameters: parameters, training: training)
        let expected = Reference.layerNorm(x, axis: axis, weight: parameters["weight"]!, bias: parameters["bias"]!,
                                           epsilon: 1e-5)
        expectClose(try harness.forward().plain(), expected, .normwise(1e-5))
    }

    @Test(arguments: layerNormCases.indices, [false, true])
    func layerNormBackwardMatchesFiniteDifferences(index: Int, training: Bool) throws {
        let (shape, axis) = Self.layerNormCases[index]
        let harness = OpHarness(LayerNorm(axis: axis, epsilon: 1e-5), inputs: [Tensor.randomNormal(shape: shape, seed: 24)],
                                parameters: Self.layerNormParameters(shape, axis: axis), training: training)
        try harness.checkGradients(tolerance: 5e-3)
    }

    @Test func layerNormOfAHandComputedRow() throws {
        // x = (1, 2, 3, 4): μ = 2.5, σ² = (2.25 + 0.25 + 0.25 + 2.25)/4 = 1.25, √(σ² + 0) = 1.118034;
        // x̂ = (−1.5, −0.5, 0.5, 1.5)/1.118034 = (−1.341641, −0.447214, 0.447214, 1.341641);
        // weight (1, 2, 1, 2), bias (0, 0, 1, 1): y = (−1.341641, −0.894427, 1.447214, 3.683282).
        let harness = OpHarness(LayerNorm(axis: -1, epsilon: 0), inputs: [Tensor(shape: [1, 4], scalars: [1, 2, 3, 4])],
                                parameters: ["weight": Tensor(shape: [4], scalars: [1, 2, 1, 2]),
                                             "bias": Tensor(shape: [4], scalars: [0, 0, 1, 1])])
        let y = try harness.forward().scalars
        #expect(zip(y, [-1.341641, -0.894427, 1.447214, 3.683282]).allSatisfy { abs($0 - $1) < 1e-5 }, "\(y)")
    }

    @Test func layerNormParametersOfTheWrongShapeAreAShapeErrorNamingTheNode() throws {
        var builder = GraphBuilder(input: "input", shape: [2, 3, 4])
        try builder.add("norm", LayerNorm(axis: -2, epsilon: 1e-5), inputs: ["input"],
                        parameters: ["weight": Tensor(zeros: [4]), "bias": Tensor(zeros: [3, 4])])
        expectError(.shape, about: "norm", mentioning: "parameter [4] for normalised shape [3, 4]") {
            try builder.build(output: "norm")
        }
    }

    @Test func layerNormOnAnAxisOutsideTheRankThrowsAShapeError() {
        expectError(.shape, mentioning: "layer norm axis 3 for input [2, 5, 4]") {
            try LayerNorm(axis: 3, epsilon: 1e-5).outputShape(inputs: [[2, 5, 4]], parameters: [[4], [4]])
        }
    }
}
