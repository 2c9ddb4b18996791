import Testing
import TestSupport
@testable import STCore

@Suite struct ElementwiseTests {
    static let broadcastPairs: [([Int], [Int])] = [
        ([2, 3, 4], [2, 3, 4]), ([2, 3, 4], [3, 1]), ([1, 3, 1], [2, 1, 5]), ([4], [2, 3, 4]), ([2, 16, 3, 5], [1, 16, 1, 1]),
    ]

    @Test(arguments: broadcastPairs.indices)
    func addAndMultiplyBroadcastLikeNumPy(index: Int) throws {
        let (aShape, bShape) = Self.broadcastPairs[index]
        let a = Tensor.randomNormal(shape: aShape, seed: 1), b = Tensor.randomNormal(shape: bShape, seed: 2)
        expectClose(try OpHarness(Add(), inputs: [a, b]).forward().plain(), Reference.add(a, b), .normwise(1e-6))
        expectClose(try OpHarness(Multiply(), inputs: [a, b]).forward().plain(), Reference.mul(a, b), .normwise(1e-6))
    }

    @Test(arguments: broadcastPairs.indices)
    func addAndMultiplyGradientsSumOverBroadcastAxes(index: Int) throws {
        let (aShape, bShape) = Self.broadcastPairs[index]
        let inputs = [Tensor.randomNormal(shape: aShape, seed: 3), Tensor.randomNormal(shape: bShape, seed: 4)]
        try OpHarness(Add(), inputs: inputs).checkGradients(tolerance: 1e-3)
        try OpHarness(Multiply(), inputs: inputs).checkGradients(tolerance: 1e-3)
    }

    @Test func incompatibleShapesAreAShapeErrorNamingTheNode() throws {
        var builder = GraphBuilder(inputs: [("a", [2, 3]), ("b", [2, 4])])
        try builder.add("sum", Add(), inputs: ["a", "b"])
        expectError(.shape, about: "sum", mentioning: "cannot add [2, 3] and [2, 4]") {
            try builder.build(output: "sum")
        }
    }

    @Test func reluMatchesTheReferenceInPlainAndBlockedLayouts() throws {
        let x = Tensor.randomNormal(shape: [2, 20, 3, 5], seed: 5)
        let expected = Reference.relu(x)
        expectClose(try OpHarness(ReLU(), inputs: [x]).forward().plain(), expected, .normwise(0))
        let blocked = DNNL.reorder(x, to: .channelBlocked(16))
        var context = ForwardContext()
        let output = try ReLU().forward([blocked], parameters: [], context: &context).value
        #expect(output.format == .channelBlocked(16))
        expectClose(output.plain(), expected, .normwise(0))
    }

    @Test func reluBackwardMatchesFiniteDifferencesAwayFromZero() throws {
        // Magnitudes ≥ 0.1 keep x ± ε on one side of the kink for ε = 0.01.
        let values = Tensor.randomNormal(shape: [3, 4, 5], seed: 6).scalars.map { $0 < 0 ? $0 - 0.1 : $0 + 0.1 }
        try OpHarness(ReLU(), inputs: [Tensor(shape: [3, 4, 5], scalars: values)]).checkGradients(tolerance: 1e-3)
    }

    /// Inputs with |x| ≥ 0.5, where 1/x is smooth enough for central differences with ε = 0.01.
    static func awayFromZero(_ shape: [Int], seed: UInt64) -> Tensor {
        Tensor(shape: shape, scalars: Tensor.randomNormal(shape: shape, seed: seed).scalars.map { $0 < 0 ? $0 - 0.5 : $0 + 0.5 })
    }

    @Test(arguments: [[2, 3, 4], [2, 20, 3, 5], [7]])
    func reciprocalMatchesTheReferenceInPlainAndBlockedLayouts(shape: [Int]) throws {
        let x = Self.awayFromZero(shape, seed: 7)
        expectClose(try OpHarness(Reciprocal(), inputs: [x]).forward().plain(), Reference.reciprocal(x),
                    .normwise(1e-6))
        guard shape.count == 4 else { return }
        var context = ForwardContext()
        let output = try Reciprocal().forward([DNNL.reorder(x, to: .channelBlocked(16))], parameters: [], context: &context).value
        expectClose(output.plain(), Reference.reciprocal(x), .normwise(1e-6))
    }

    @Test(arguments: [[2, 3, 4], [3, 5]])
    func reciprocalGradientIsMinusGOverXSquared(shape: [Int]) throws {
        try OpHarness(Reciprocal(), inputs: [Self.awayFromZero(shape, seed: 8)]).checkGradients(tolerance: 1e-2)
    }

    @Test(arguments: [Float(2), 3, 0.5])
    func powerMatchesTheReferenceAndFiniteDifferences(exponent: Float) throws {
        // Inputs in [0.5, 2]: positive for the non-integer exponent, and √x smooth there.
        let x = Tensor.randomUniform(shape: [3, 4, 5], in: 0.5...2, seed: 9)
        let harness = OpHarness(Power(exponent: exponent), inputs: [x])
        expectClose(try harness.forward().plain(), Reference.power(x, exponent: exponent), .normwise(1e-5))
        try harness.checkGradients(tolerance: 2e-3)
    }

    @Test func integerPowersKeepTheSignOfNegativeInputs() throws {
        // (−2)² = 4, (−2)³ = −8, 1.5² = 2.25, 1.5³ = 3.375; gradients g·2x and g·3x² checked by differences.
        let x = Tensor(shape: [2], scalars: [-2, 1.5])
        #expect(try OpHarness(Power(exponent: 2), inputs: [x]).forward().scalars == [4, 2.25])
        #expect(try OpHarness(Power(exponent: 3), inputs: [x]).forward().scalars == [-8, 3.375])
        try OpHarness(Power(exponent: 3), inputs: [Self.awayFromZero([3, 5], seed: 10)]).checkGradients(tolerance: 2e-3)
    }

    @Test(arguments: [[2, 3, 4], [2, 20, 3, 5]])
    func sqrtMatchesTheReferenceAndFiniteDifferences(shape: [Int]) throws {
        let x = Tensor.randomUniform(shape: shape, in: 0.5...4, seed: 11)
        let harness = OpHarness(Sqrt(), inputs: [x])
        expectClose(try harness.forward().plain(), Reference.sqrt(x), .normwise(1e-6))
        try harness.checkGradients(tolerance: 2e-3)
        // √(0.25, 4, 9) = (0.5, 2, 3).
        #expect(try OpHarness(Sqrt(), inputs: [Tensor(shape: [3], scalars: [0.25, 4, 9])]).forward().scalars == [0.5, 2, 3])
    }

    @Test(arguments: [[2, 3, 4], [2, 20, 3, 5]])
    func erfMatchesTheReferenceAndFiniteDifferences(shape: [Int]) throws {
        let x = Tensor.randomNormal(shape: shape, seed: 12)
        let harness = OpHarness(Erf(), inputs: [x])
        expectClose(try harness.forward().plain(), Reference.erf(x), .normwise(1e-6))
        try harness.checkGradients(tolerance: 2e-3)
        // erf(0) = 0, erf(1) = 0.842701, erf(−2) = −0.995322.
        let values = try OpHarness(Erf(), inputs: [Tensor(shape: [3], scalars: [0, 1, -2])]).forward().scalars
        #expect(zip(values, [0, 0.842701, -0.995322]).allSatisfy { abs($0 - $1) < 1e-6 }, "\(values)")
    }

    @Test func elementwiseFunctionsKeepONNXTypeNames() {
        #expect(Power(exponent: 2).typeName == "Pow")
        #expect(Sqrt().typeName == "Sqrt")
        #expect(Erf().typeName == "Erf")
    }

    @Test func crossEntropyGradientIsSoftmaxMinusOneHotOverN() throws {
        // For logits [[1, 2, 3], [0, 0, 0]] and labels [2, 0]:
        // softmax([1,2,3]) = [0.0900, 0.2447, 0.6652]; softmax(0) = 1/3 each.
        // loss = (−log 0.6652 − log(1/3))/2 = (0.4076 + 1.0986)/2 = 0.7531.
        // gradient = (p − onehot)/2 = [[0.0450, 0.1224, −0.1674], [−0.3333, 0.1667, 0.1667]].
        let logits = Tensor(shape: [2, 3], scalars: [1, 2, 3, 0, 0, 0])
        let objective = Objective.crossEntropy(labels: [2, 0])
        #expect(abs(try objective.values(logits)[0] - 0.7531) < 1e-4)
        let expected = Tensor(shape: [2, 3], scalars: [0.0450, 0.1224, -0.1674, -0.3333, 0.1667, 0.1667])
        expectClose(try objective.seed(logits), expected, .normwise(1e-3))
    }

    @Test func meanSquaredErrorAndItsGradient() throws {
        // y = [1, 2, 4], t = [1, 0, 1]: loss = (0 + 4 + 9)/3 = 13/3; gradient = (2/3)(y − t) = [0, 4/3, 2].
        let objective = Objective.meanSquaredError(targets: Tensor(shape: [3], scalars: [1, 0, 1]))
        let y = Tensor(shape: [3], scalars: [1, 2, 4])
        #expect(abs(try objective.values(y)[0] - 13.0 / 3) < 1e-6)
        expectClose(try objective.seed(y), Tensor(shape: [3], scalars: [0, 4.0 / 3, 2]), .normwise(1e-6))
    }
}
