import Testing
import TestSupport
@testable import STCore

/// ST-GCN's graph aggregation einsum, and the parameter and constant graph values that feed it
/// its adjacency.
@Suite struct GraphAggregationTests {
    /// (N, K, C, T, V) and W.
    static let cases: [(x: [Int], targets: Int)] = [
        ([2, 3, 4, 5, 7], 7),
        ([1, 1, 3, 2, 5], 4),
        ([3, 2, 1, 3, 6], 6),
    ]

    @Test(arguments: cases.indices)
    func forwardMatchesTheReferenceEinsum(index: Int) throws {
        let (xShape, targets) = Self.cases[index]
        let x = Tensor.randomNormal(shape: xShape, seed: 1)
        let adjacency = Tensor.randomNormal(shape: [xShape[1], xShape[4], targets], seed: 2)
        let harness = OpHarness(GraphAggregation(), inputs: [x, adjacency])
        expectClose(try harness.forward(), Reference.graphAggregation(x, adjacency: adjacency),
                    .normwise(1e-4))
    }

    @Test(arguments: cases.indices)
    func backwardMatchesFiniteDifferencesForFeaturesAndAdjacency(index: Int) throws {
        let (xShape, targets) = Self.cases[index]
        let harness = OpHarness(GraphAggregation(),
                                inputs: [Tensor.randomNormal(shape: xShape, seed: 3),
                                         Tensor.randomNormal(shape: [xShape[1], xShape[4], targets], seed: 4)])
        try harness.checkGradients(tolerance: 2e-3)
    }

    @Test func adjacencyThatDoesNotMatchThePartitionsThrowsAShapeError() {
        expectError(.shape, mentioning: "adjacency [2, 7, 7] is not (K, V, W)") {
            try GraphAggregation().outputShape(inputs: [[2, 3, 4, 5, 7], [2, 7, 7]], parameters: [])
        }
    }

    @Test func multiplyAddsCountEveryProductOfTheEinsum() {
        // N·K·C·T·V·W = 2·3·4·5·7·7 = 5880.
        #expect(GraphAggregation().multiplyAdds(inputs: [[2, 3, 4, 5, 7], [3, 7, 7]], parameters: [],
                                                output: [2, 4, 5, 7]) == 5880)
    }

    // MARK: Parameter and constant values

    @Test func parameterValueEmitsItsParameterAndReceivesTheGradient() throws {
        let value = Tensor.randomNormal(shape: [3, 4, 4], seed: 5)
        let harness = OpHarness(ParameterValue(), inputs: [], parameters: ["value": value])
        #expect(try harness.forward() == value)
        try harness.checkGradients(tolerance: 1e-3)
    }

    @Test func constantEmitsItsTensor() throws {
        let value = Tensor.randomNormal(shape: [2, 5], seed: 6)
        #expect(try OpHarness(Constant(value), inputs: []).forward() == value)
    }

    /// x → aggregate(x, A ⊙ edge_importance.0), as in one ST-GCN block.
    static func edgeImportanceGraph(adjacency: Tensor, importance: Tensor, xShape: [Int]) throws -> Graph {
        var builder = GraphBuilder(input: "x", shape: xShape)
        let fixed = try builder.add("A", Constant(adjacency), inputs: [])
        let trained = try builder.add("edge_importance.0", ParameterValue(), inputs: [],
                                      parameters: ["value": importance], parameterKeys: ["edge_importance.0"])
        let weighted = try builder.add("A_weighted", Multiply(), inputs: [fixed, trained])
        let output = try builder.add("gcn", GraphAggregation(), inputs: ["x", weighted])
        return try builder.build(output: output)
    }

    @Test func edgeImportanceTimesConstantAdjacencyTrainsThroughTheAggregation() throws {
        let xShape = [2, 3, 2, 3, 5]
        let x = Tensor.randomNormal(shape: xShape, seed: 7)
        let adjacency = Tensor.randomUniform(shape: [3, 5, 5], in: 0...1, seed: 8)
        let importance = Tensor.randomUniform(shape: [3, 5, 5], in: 0.5...1.5, seed: 9)
        let weights = Tensor.randomNormal(shape: [2, 2, 3, 5], seed: 10)
        let graph = try Self.edgeImportanceGraph(adjacency: adjacency, importance: importance, xShape: xShape)

        let trace = try graph.forward(x, options: ForwardOptions(training: true))
        expectClose(trace.output, Reference.graphAggregation(x, adjacency: Reference.mul(adjacency, importance)),
                    .normwise(1e-4))
        let gradients = try trace.parameterGradients(of: .weighted(by: weights))
        #expect(Set(gradients.keys) == ["edge_importance.0"])
        // L = Σ w ⊙ aggregate(x, A ⊙ M) is linear in M, so central differences are exact up to rounding.
        let numeric = try FiniteDifference.gradient(of: { m in
            let y = try Self.edgeImportanceGraph(adjacency: adjacency, importance: m, xShape: xShape).forward(x).output
            return zip(y.scalars, weights.scalars).reduce(0) { $0 + $1.0 * $1.1 }
        }, at: importance)
        expectClose(gradients["edge_importance.0"]!.plain(), numeric, .normwise(2e-3))
    }
}
