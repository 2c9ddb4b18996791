import Testing
import TestSupport
@testable import STCore

/// `PrependTokens` (ViT's class token): the learned tokens copied in front of every sample's
/// sequence, against the naive reference, and its backward — the sequence's gradient sliced off,
/// the tokens' summed over the batch — against finite differences.
@Suite struct PrependTokensTests {
    /// One class token, two (DeiT's class and distillation tokens), a batch of one.
    static let cases: [(input: [Int], tokens: [Int])] = [([2, 5, 4], [1, 1, 4]), ([3, 2, 3], [1, 2, 3]), ([1, 4, 2], [1, 1, 2])]

    @Test(arguments: cases.indices)
    func prependTokensMatchesTheReference(index: Int) throws {
        let (inputShape, tokenShape) = Self.cases[index]
        let x = Tensor.randomNormal(shape: inputShape, seed: 40 + UInt64(index))
        let tokens = Tensor.randomNormal(shape: tokenShape, seed: 50 + UInt64(index))
        expectClose(try OpHarness(PrependTokens(), inputs: [x], parameters: ["tokens": tokens]).forward().plain(),
                    Reference.prependTokens(x, tokens: tokens), .normwise(0))
    }

    @Test(arguments: cases.indices)
    func prependTokensBackwardMatchesFiniteDifferences(index: Int) throws {
        let (inputShape, tokenShape) = Self.cases[index]
        try OpHarness(PrependTokens(), inputs: [Tensor.randomNormal(shape: inputShape, seed: 60 + UInt64(index))],
                      parameters: ["tokens": Tensor.randomNormal(shape: tokenShape, seed: 70 + UInt64(index))])
            .checkGradients(tolerance: 1e-3)
    }

    /// x = [[[1], [2]], [[3], [4]]] (N = 2, L = 2, D = 1), token [[[9]]]: [[9, 1, 2], [9, 3, 4]].
    /// g = [[1, 2, 3], [4, 5, 6]]: ∂L/∂x = [[2, 3], [5, 6]], ∂L/∂token = 1 + 4 = 5.
    @Test func eachSampleGetsTheTokenAndTheTokenCollectsEverySamplesGradient() throws {
        let x = Tensor(shape: [2, 2, 1], scalars: [1, 2, 3, 4])
        var builder = GraphBuilder(input: "x", shape: x.shape)
        try builder.add("cls_token", PrependTokens(), inputs: ["x"], parameters: ["tokens": Tensor(shape: [1, 1, 1], scalars: [9])],
                        parameterKeys: ["cls_token"])
        let trace = try builder.build(output: "cls_token").forward(x, options: ForwardOptions(training: true))
        #expect(trace.output.shape == [2, 3, 1])
        #expect(trace.output.scalars == [9, 1, 2, 9, 3, 4])
        let weights = Tensor(shape: [2, 3, 1], scalars: [1, 2, 3, 4, 5, 6])
        #expect(try trace.gradient(of: .weighted(by: weights), at: ["x"])["x"]?.scalars == [2, 3, 5, 6])
        #expect(try trace.parameterGradients(of: .weighted(by: weights))["cls_token"]?.scalars == [5])
    }

    @Test func tokensOfAnotherWidthOrRankAreShapeErrors() {
        expectError(.shape, mentioning: "PrependTokens needs tokens (1, K, D)") {
            try PrependTokens().outputShape(inputs: [[2, 5, 4]], parameters: [[1, 1, 3]])
        }
        expectError(.shape, mentioning: "PrependTokens needs tokens (1, K, D)") {
            try PrependTokens().outputShape(inputs: [[2, 5]], parameters: [[1, 1, 5]])
        }
        expectError(.shape, mentioning: "PrependTokens needs tokens (1, K, D)") {
            try PrependTokens().outputShape(inputs: [[2, 5, 4]], parameters: [[2, 1, 4]])
        }
    }
}
