import Testing
import TestSupport
@testable import STCore

/// `Linear` and `MatMul` against the reference kernels and finite differences.
@Suite struct DenseOpTests {
    static let linearCases: [(input: [Int], outFeatures: Int, bias: Bool)] = [
        ([2, 5, 7], 3, true),
        ([4, 9], 6, false),
        ([3, 2, 2, 5], 11, true),
        ([1, 1], 1, true),
    ]

    @Test(arguments: linearCases.indices)
    func linearForwardMatchesTheReference(index: Int) throws {
        let (inputShape, outFeatures, bias) = Self.linearCases[index]
        let x = Tensor.randomNormal(shape: inputShape, seed: 1)
        let w = Tensor.randomNormal(shape: [outFeatures, inputShape.last!], seed: 2)
        let b = Tensor.randomNormal(shape: [outFeatures], seed: 3)
        let harness = OpHarness(Linear(bias: bias), inputs: [x], parameters: bias ? ["weight": w, "bias": b] : ["weight": w])
        expectClose(try harness.forward(), Reference.linear(x, weight: w, bias: bias ? b : nil),
                    .normwise(1e-4))
    }

    @Test(arguments: linearCases.indices)
    func linearBackwardMatchesFiniteDifferences(index: Int) throws {
        let (inputShape, outFeatures, bias) = Self.linearCases[index]
        let w = Tensor.randomNormal(shape: [outFeatures, inputShape.last!], seed: 5)
        let b = Tensor.randomNormal(shape: [outFeatures], seed: 6)
        let harness = OpHarness(Linear(bias: bias), inputs: [Tensor.randomNormal(shape: inputShape, seed: 4)],
                                parameters: bias ? ["weight": w, "bias": b] : ["weight": w])
        try harness.checkGradients(tolerance: 2e-3)
    }

    @Test func linearWithTheWrongInputFeaturesThrowsAShapeError() throws {
        let harness = OpHarness(Linear(bias: true), inputs: [Tensor(zeros: [2, 5])],
                                parameters: ["weight": Tensor(zeros: [3, 4]), "bias": Tensor(zeros: [3])])
        expectError(.shape, mentioning: "Linear expects 4 input features, got input [2, 5]") { try harness.forward() }
    }

    @Test func linearCountsOutputElementsTimesInputFeaturesMultiplyAdds() {
        // y (2, 5, 3) from in = 7: 2·5·3 outputs × 7 products each = 210.
        #expect(Linear().multiplyAdds(inputs: [[2, 5, 7]], parameters: [[3, 7], [3]], output: [2, 5, 3]) == 210)
    }

    static let matMulCases: [(a: [Int], b: [Int])] = [
        ([2, 3, 4], [2, 4, 5]),
        ([2, 1, 3, 5], [4, 5, 6]),
        ([3, 7], [2, 7, 5]),
        ([1, 3, 2, 3], [2, 1, 3, 1]),
        ([5, 9], [9, 3]),
        // A 2-D weight under batched rows (attention's projections): one GEMM over all rows.
        ([4, 1, 3, 5], [5, 6]),
        ([2, 3, 4], [4, 2]),
    ]

    @Test(arguments: matMulCases.indices)
    func matMulForwardMatchesTheReferenceWithBatchBroadcasting(index: Int) throws {
        let (aShape, bShape) = Self.matMulCases[index]
        let a = Tensor.randomNormal(shape: aShape, seed: 7), b = Tensor.randomNormal(shape: bShape, seed: 8)
        let harness = OpHarness(MatMul(), inputs: [a, b])
        expectClose(try harness.forward(), Reference.matmul(a, b), .normwise(1e-4))
    }

    @Test(arguments: matMulCases.indices)
    func matMulBackwardSumsOverBroadcastBatchAxes(index: Int) throws {
        let (aShape, bShape) = Self.matMulCases[index]
        let harness = OpHarness(MatMul(), inputs: [Tensor.randomNormal(shape: aShape, seed: 9),
                                                   Tensor.randomNormal(shape: bShape, seed: 10)])
        try harness.checkGradients(tolerance: 2e-3)
    }

    @Test func matMulOfMismatchedInnerSizesThrowsAShapeError() {
        expectError(.shape, mentioning: "inner sizes differ") {
            try MatMul().outputShape(inputs: [[2, 3, 4], [2, 5, 6]], parameters: [])
        }
    }
}
