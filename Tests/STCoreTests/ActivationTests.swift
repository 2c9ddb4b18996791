import Testing
import TestSupport
@testable import STCore

/// Sigmoid, leaky ReLU, tanh, GELU, hard sigmoid, hard swish, softmax/log-softmax and dropout against
/// the reference kernels and finite differences.
@Suite struct ActivationTests {
    static let shapes: [[Int]] = [[2, 3, 5], [1, 7], [3, 2, 3, 4, 5]]

    @Test(arguments: shapes)
    func sigmoidMatchesTheReferenceAndFiniteDifferences(shape: [Int]) throws {
        let x = Tensor.randomNormal(shape: shape, std: 2, seed: 1)
        let harness = OpHarness(Sigmoid(), inputs: [x])
        expectClose(try harness.forward(), Reference.sigmoid(x), .normwise(1e-4))
        try harness.checkGradients(tolerance: 2e-3)
    }

    @Test(arguments: shapes)
    func leakyReLUMatchesTheReferenceAndFiniteDifferences(shape: [Int]) throws {
        // Kept at least 0.1 from the kink at 0, so central differences of step 0.01 see one slope.
        let noise = Tensor.randomNormal(shape: shape, std: 2, seed: 3)
        let x = Tensor(shape: shape, scalars: noise.scalars.map { $0 + ($0 < 0 ? -0.1 : 0.1) })
        let harness = OpHarness(LeakyReLU(negativeSlope: 0.2), inputs: [x])
        expectClose(try harness.forward(), Reference.leakyReLU(x, slope: 0.2), .normwise(1e-6))
        try harness.checkGradients(tolerance: 2e-3)
    }

    @Test(arguments: shapes)
    func tanhMatchesTheReferenceAndFiniteDifferences(shape: [Int]) throws {
        let x = Tensor.randomNormal(shape: shape, seed: 2)
        let harness = OpHarness(Tanh(), inputs: [x])
        expectClose(try harness.forward(), Reference.tanh(x), .normwise(1e-4))
        try harness.checkGradients(tolerance: 2e-3)
    }

    /// Normal samples of standard deviation `std`, moved at least 0.1 away from every kink, so
    /// central differences of step 0.01 see one slope.
    static func awayFromKinks(_ kinks: [Float], shape: [Int], std: Float, seed: UInt64) -> Tensor {
        let values = Tensor.randomNormal(shape: shape, std: std, seed: seed).scalars.map { value in
            guard let kink = kinks.first(where: { abs(value - $0) < 0.1 }) else { return value }
            return value < kink ? kink - 0.1 : kink + 0.1
        }
        return Tensor(shape: shape, scalars: values)
    }

    @Test(arguments: shapes, [GELU.Approximation.none, .tanh])
    func geluMatchesTheReferenceAndFiniteDifferences(shape: [Int], approximation: GELU.Approximation) throws {
        let x = Tensor.randomNormal(shape: shape, std: 2, seed: 5)
        let harness = OpHarness(GELU(approximation: approximation), inputs: [x])
        let expected = approximation == .none ? Reference.gelu(x) : Reference.geluTanh(x)
        expectClose(try harness.forward().plain(), expected, .normwise(1e-5))
        try harness.checkGradients(tolerance: 2e-3)
    }

    @Test(arguments: shapes, [(alpha: Float(1.0 / 6), beta: Float(0.5)), (alpha: 0.2, beta: 0.5)])
    func hardSigmoidMatchesTheReferenceAndFiniteDifferences(shape: [Int], coefficients: (alpha: Float, beta: Float)) throws {
        // Kinks where αx + β is 0 or 1: ±3 for PyTorch's α = 1/6, ±2.5 for ONNX's α = 0.2.
        let (alpha, beta) = coefficients
        let x = Self.awayFromKinks([-beta / alpha, (1 - beta) / alpha], shape: shape, std: 3, seed: 6)
        let harness = OpHarness(HardSigmoid(alpha: alpha, beta: beta), inputs: [x])
        expectClose(try harness.forward().plain(), Reference.hardSigmoid(x, alpha: alpha, beta: beta),
                    .normwise(1e-6))
        try harness.checkGradients(tolerance: 2e-3)
    }

    @Test(arguments: shapes)
    func hardSwishMatchesTheReferenceAndFiniteDifferences(shape: [Int]) throws {
        let x = Self.awayFromKinks([-3, 3], shape: shape, std: 3, seed: 7)
        let harness = OpHarness(HardSwish(), inputs: [x])
        expectClose(try harness.forward().plain(), Reference.hardSwish(x), .normwise(1e-6))
        try harness.checkGradients(tolerance: 2e-3)
    }

    @Test func transformerActivationsGiveTheirFormulasValuesAtHandPickedPoints() throws {
        // GELU(1) = Φ(1) = 0.841345; tanh form: ½(1 + tanh(√(2/π)·1.044715)) = ½(1 + tanh 0.833562) = 0.841192.
        // Hard sigmoid (α = 0.2, β = 0.5): (−3, 1, 4) → (max(0, −0.1), 0.7, min(1, 1.3)) = (0, 0.7, 1).
        // Hard swish: (−4, 1, 3) → (−4·0, 1·(1/6 + ½), 3·1) = (0, 0.666667, 3).
        func apply(_ op: any Op, _ values: [Float]) throws -> [Float] {
            try OpHarness(op, inputs: [Tensor(shape: [values.count], scalars: values)]).forward().scalars
        }
        expectClose(try apply(GELU(approximation: .none), [1]), [0.841345], .absolute(1e-5))
        expectClose(try apply(GELU(approximation: .tanh), [1]), [0.841192], .absolute(1e-5))
        expectClose(try apply(HardSigmoid(alpha: 0.2, beta: 0.5), [-3, 1, 4]), [0, 0.7, 1], .absolute(1e-5))
        expectClose(try apply(HardSwish(), [-4, 1, 3]), [0, 0.666667, 3], .absolute(1e-5))
    }

    @Test func geluWorksInTheChannelBlockedLayout() throws {
        let x = Tensor.randomNormal(shape: [2, 20, 3, 5], seed: 8)
        var context = ForwardContext()
        let output = try GELU(approximation: .none).forward([DNNL.reorder(x, to: .channelBlocked(16))], parameters: [],
                                                            context: &context).value
        #expect(output.format == .channelBlocked(16))
        expectClose(output.plain(), Reference.gelu(x), .normwise(1e-5))
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
        expectClose(try harness.forward(), expected, .normwise(1e-4))
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
        expectError(.shape, mentioning: "Softmax axis -3 for input [2, 5]") {
            try Softmax(axis: -3).outputShape(inputs: [[2, 5]], parameters: [])
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
        expectClose(gradient.plain(), expected, .normwise(1e-5))
    }
}
