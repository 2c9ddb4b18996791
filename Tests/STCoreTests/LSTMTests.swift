import Testing
import TestSupport
@testable import STCore

/// The multi-layer LSTM against the reference recurrence and finite differences (BPTT).
@Suite struct LSTMTests {
    /// PyTorch-named parameters of an LSTM with `layers` layers, drawn from seeds `seed…`.
    static func parameters(inputSize: Int, hiddenSize: Int, layers: Int, seed: UInt64) -> [String: Tensor] {
        var result: [String: Tensor] = [:]
        for l in 0..<layers {
            let inputs = l == 0 ? inputSize : hiddenSize, base = seed + UInt64(4 * l)
            result["weight_ih_l\(l)"] = Tensor.randomNormal(shape: [4 * hiddenSize, inputs], std: 0.5, seed: base)
            result["weight_hh_l\(l)"] = Tensor.randomNormal(shape: [4 * hiddenSize, hiddenSize], std: 0.5, seed: base + 1)
            result["bias_ih_l\(l)"] = Tensor.randomNormal(shape: [4 * hiddenSize], std: 0.5, seed: base + 2)
            result["bias_hh_l\(l)"] = Tensor.randomNormal(shape: [4 * hiddenSize], std: 0.5, seed: base + 3)
        }
        return result
    }

    static let cases: [(batch: Int, steps: Int, inputSize: Int, hiddenSize: Int, layers: Int)] = [
        (3, 5, 7, 5, 2),
        (2, 1, 3, 4, 1),
        (1, 6, 2, 3, 3),
    ]

    @Test(arguments: cases.indices)
    func forwardMatchesTheReferenceRecurrence(index: Int) throws {
        let (batch, steps, inputSize, hiddenSize, layers) = Self.cases[index]
        let x = Tensor.randomNormal(shape: [batch, steps, inputSize], seed: 1)
        let parameters = Self.parameters(inputSize: inputSize, hiddenSize: hiddenSize, layers: layers, seed: 10)
        let harness = OpHarness(LSTM(hiddenSize: hiddenSize, layers: layers), inputs: [x], parameters: parameters)
        let expected = Reference.lstm(x, weightsIH: (0..<layers).map { parameters["weight_ih_l\($0)"]! },
                                      weightsHH: (0..<layers).map { parameters["weight_hh_l\($0)"]! },
                                      biasesIH: (0..<layers).map { parameters["bias_ih_l\($0)"]! },
                                      biasesHH: (0..<layers).map { parameters["bias_hh_l\($0)"]! })
        expectClose(try harness.forward(), expected.output, .normwise(1e-4))
    }

    @Test func forwardWithoutBiasesMatchesTheReference() throws {
        let x = Tensor.randomNormal(shape: [2, 4, 3], seed: 2)
        let parameters = Self.parameters(inputSize: 3, hiddenSize: 5, layers: 2, seed: 20).filter { !$0.key.hasPrefix("bias") }
        let harness = OpHarness(LSTM(hiddenSize: 5, layers: 2, bias: false), inputs: [x], parameters: parameters)
        let expected = Reference.lstm(x, weightsIH: [parameters["weight_ih_l0"]!, parameters["weight_ih_l1"]!],
                                      weightsHH: [parameters["weight_hh_l0"]!, parameters["weight_hh_l1"]!],
                                      biasesIH: [], biasesHH: [])
        expectClose(try harness.forward(), expected.output, .normwise(1e-4))
    }

    @Test func backwardThroughTimeMatchesFiniteDifferencesForTheInputAndEveryParameter() throws {
        let harness = OpHarness(LSTM(hiddenSize: 4, layers: 2),
                                inputs: [Tensor.randomNormal(shape: [2, 3, 3], seed: 3)],
                                parameters: Self.parameters(inputSize: 3, hiddenSize: 4, layers: 2, seed: 30))
        // ε = 2·10⁻²: W_hh's gradient is small (only T − 1 = 2 steps feed it), and with ε = 10⁻² the
        // Float rounding of the loss (≈ 4·10⁻⁷ / 2ε) already reaches 0.2 % of it; the truncation
        // error O(ε²) stays below 0.05 %.
        try harness.checkGradients(epsilon: 2e-2, tolerance: 2e-3)
    }

    @Test func parametersCarryPyTorchStateDictNamesInOrder() {
        #expect(LSTM(hiddenSize: 4, layers: 2).parameterRoles == [
            "weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0",
            "weight_ih_l1", "weight_hh_l1", "bias_ih_l1", "bias_hh_l1",
        ])
    }

    @Test func inputWithTheWrongFeatureCountThrowsAShapeError() {
        let parameters = Self.parameters(inputSize: 3, hiddenSize: 4, layers: 1, seed: 40)
        let op = LSTM(hiddenSize: 4)
        expectError(.shape, mentioning: "weight_ih_l0 [16, 3] is not [16, 6]") {
            try op.outputShape(inputs: [[2, 5, 6]], parameters: op.parameterRoles.map { parameters[$0]!.shape })
        }
    }
}
