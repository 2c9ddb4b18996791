import Testing
@testable import STCore

/// Sigmoid, leaky ReLU, tanh, softmax/log-softmax and dropout against the reference kernels and finite
/// differences.
@Suite struct ActivationTests {
    static let shapes: [[Int]] = [[2, 3, 5], [1, 7], [3, 2, 3, 4, 5]]

    @Test(arguments: shapes)
    func sigmoidMatchesTheReferenceAndFiniteDifferences(shape: [Int]) throws {
        let x = Tensor.randomNormal(shape: shape, std: 2, seed: 1)
        let harness = OpHarness(Sigmoid(), inputs: [x])
        FiniteDifference.expectClose(try harness.forward(), Reference.sigmoid(x), tolerance: 1e-4)
        try harness.checkGradients(tolerance: 2e-3)
    }

    @Test(arguments: shapes)
    func leakyReLUMatchesTheReferenceAndFiniteDifferences(shape: [Int]) throws {
        // Kept at least 0.1 from the kink at 0, so central differences of step 0.01 see one slope.
        let noise = Tensor.randomNormal(shape: shape, std: 2, seed: 3)
        let x = Tensor(shape: shape, scalars: noise.scalars.map { $0 + ($0 < 0 ? -0.1 : 0.1) })
        let harness = OpHarness(LeakyReLU(negativeSlope: 0.2), inputs: [x])
        FiniteDifference.expectClose(try harness.forward(), Reference.leakyReLU(x, slope: 0.2), tolerance: 1e-6)
        try harness.checkGradients(tolerance: 2e-3)
    }

    @Test(arguments: shapes)
    func tanhMatchesTheReferenceAndFiniteDifferences(shape: [Int]) throws {
        let x = Tensor.randomNormal(shape: shape, seed: 2)
        let harness = OpHarness(Tanh(), inputs: [x])
        FiniteDifference.expectClose(try harness.forward(), Reference.tanh(x), tolerance: 1e-4)
        try harness.checkGradients(tolerance: 2e-3)
    }

    static let softmaxCases: [(shape: [Int], axis: Int)] = [
        ([2, 5], 1), ([2, 5], -1), ([3, 4, 5], 0), ([2, 3, 7], -2), ([2, 3, 2, 5], 2),
    ]

    @Test(arguments: softmaxCases.indices, [false, true])
    func softmaxMatchesTheReferenceAlongAnyAxis(index: Int, log: Bool) throws {
        let (shape, axis) = Self.softmaxCases[index]
        let x = Tensor.randomNormal(shape: shape, std: 2, seed: 3)
        let expected = log ? Reference.logSoftmax(x, axis: axis) : Reference.softmax(x, axis: axis)
        let harness = OpHarness(Softmax(axis: axis, log: log), inputs: [x])
        FiniteDifference.expectClose(try harness.forward(), expected, tolerance: 1e-4)
    }

    @Test(arguments: softmaxCases.indices, [false, true])
    func softmaxBackwardMatchesFiniteDifferences(index: Int, log: Bool) throws {
        let (shape, axis) = Self.softmaxCases[index]
        let harness = OpHarness(Softmax(axis: axis, log: log), inputs: [Tensor.randomNormal(shape: shape, seed: 4)])
        try harness.checkGradients(tolerance: 2e-3)
    }

    @Test func softmaxAndLogSoftmaxKeepPyTorchTypeNames() {
        #expect(Softmax(axis: 1).typeName == "Softmax")
        #expect(Softmax(axis: 1, log: true).typeName == "LogSoftmax")
    }

    @Test func softmaxOnAnAxisOutsideTheRankThrowsAShapeError() {
        let error = #expect(throws: STError.self) {
            try Softmax(axis: -3).outputShape(inputs: [[2, 5]], parameters: [])
        }
        guard case .shape = error else {
            Issue.record("expected a shape error, got \(String(describing: error))")
            return
        }
    }

    // MARK: Dropout

    @Test func dropoutIsTheIdentityInInference() throws {
        let x = Tensor.randomNormal(shape: [4, 6, 5], seed: 5)
        let harness = OpHarness(Dropout(probability: 0.5), inputs: [x])
        #expect(try harness.forward() == x)
        try harness.checkGradients(tolerance: 1e-3)
    }

    @Test func dropoutInTrainingZeroesAboutPAndScalesTheSurvivors() throws {
        // p = 0.3 of 10 000 elements: the dropped count is Binomial(10 000, 0.3), mean 3000,
        // standard deviation √(10 000 · 0.3 · 0.7) ≈ 46; allow ±5σ. Survivors are x/(1 − p) = x/0.7.
        let p: Float = 0.3
        let x = Tensor.randomUniform(shape: [10, 1000], in: 1...2, seed: 6)
        let y = try OpHarness(Dropout(probability: p), inputs: [x], training: true).forward()
        let dropped = y.scalars.filter { $0 == 0 }.count
        #expect(abs(dropped - 3000) < 230)
        for (input, output) in zip(x.scalars, y.scalars) where output != 0 {
            #expect(abs(output - input / (1 - p)) <= 1e-6 * abs(output))
        }
    }

    @Test func dropoutMaskIsReproducibleForAFixedSeedAndChangesWithIt() throws {
        let x = Tensor.randomUniform(shape: [3, 50], in: 1...2, seed: 7)
        var builder = GraphBuilder(input: "x", shape: x.shape)
        let node = try builder.add("dropout", Dropout(probability: 0.5), inputs: ["x"])
        let graph = try builder.build(output: node)
        func run(seed: UInt64) throws -> Tensor {
            try graph.forward(x, options: ForwardOptions(training: true, seed: seed)).output
        }
        #expect(try run(seed: 1) == run(seed: 1))
        #expect(try run(seed: 1) != run(seed: 2))
    }

    @Test func dropoutBackwardInTrainingAppliesTheSameMask() throws {
        // L = Σ w ⊙ y with y = x ⊙ m, so ∂L/∂x = w ⊙ m; m is read off the output as y / x.
        let x = Tensor.randomUniform(shape: [4, 25], in: 1...2, seed: 8)
        let weights = Tensor.randomNormal(shape: x.shape, seed: 9)
        var builder = GraphBuilder(input: "x", shape: x.shape)
        let node = try builder.add("dropout", Dropout(probability: 0.4), inputs: ["x"])
        let graph = try builder.build(output: node)
        let trace = try graph.forward(x, options: ForwardOptions(training: true, seed: 3))
        let gradient = try trace.gradient(of: .weighted(by: weights), at: ["x"])["x"]!
        let mask = zip(trace.output.scalars, x.scalars).map { $0 / $1 }
        let expected = Tensor(shape: x.shape, scalars: zip(weights.scalars, mask).map(*))
        FiniteDifference.expectClose(gradient.plain(), expected, tolerance: 1e-5)
    }
}
