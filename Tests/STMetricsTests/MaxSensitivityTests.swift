import Testing
import STCore
import TestSupport
@testable import STMetrics

@Suite struct MaxSensitivityTests {
    @Test func aConstantExplanationHasZeroSensitivity() throws {
        let input = Tensor(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 6])
        let constant = try MaxSensitivity.sensitivity(of: { _ in Tensor(repeating: 1, shape: [2, 4]) }, at: input,
                                                      radius: 0.5, samples: 5)
        #expect(constant == [0, 0])
    }

    @Test func aLinearExplanationStaysWithinTheNoiseBound() throws {
        // Φ(x) = 2x: Φ(x + δ) − Φ(x) = 2δ with every |δᵢ| ≤ r = 0.5.
        // Sample 0, x = [1, 2, 2], ‖Φ(x)‖ = 6: ratio ‖2δ‖/6 ≤ 2·0.5·√3/6 = 0.288675.
        // Sample 1, x = 0: Φ(x) = 0, so the change itself, ‖2δ‖ ≤ 2·0.5·√3 = 1.732051.
        let input = Tensor(shape: [2, 3], scalars: [1, 2, 2, 0, 0, 0])
        let double = { (x: Tensor) in Tensor(shape: x.shape, scalars: x.scalars.map { 2 * $0 }) }
        let values = try MaxSensitivity.sensitivity(of: double, at: input, radius: 0.5, samples: 20, seed: 3)
        #expect(values[0] > 0 && values[0] <= 3.0.squareRoot() / 6)
        #expect(values[1] > 0 && values[1] <= 3.0.squareRoot())
        // E‖2δ‖² = 4·3·r²/3 = 1, so about half the draws exceed 1; all twenty missing is unlikely.
        #expect(values[1] > 1)
        #expect(try MaxSensitivity.sensitivity(of: double, at: input, radius: 0.5, samples: 20, seed: 3) == values)
    }

    @Test func aStepExplanationFlipsToItsFullNorm() throws {
        // Φ(x) = [x > 0] at x = 0.1, r = 0.5: any δ < −0.1 (probability 0.4 per draw) turns Φ from 1
        // to 0, a change of 1 relative to ‖Φ(x)‖ = 1; 50 draws all missing it has probability 0.6⁵⁰ ≈ 10⁻¹¹.
        let step = { (x: Tensor) in Tensor(shape: x.shape, scalars: x.scalars.map { $0 > 0 ? 1 : 0 }) }
        #expect(try MaxSensitivity.sensitivity(of: step, at: Tensor(shape: [1, 1], scalars: [0.1]), radius: 0.5,
                                               samples: 50) == [1])
    }

    @Test func zeroRadiusGivesZeroAndBadRequestsAreErrors() throws {
        let input = Tensor(shape: [1, 2], scalars: [1, 2])
        #expect(try MaxSensitivity.sensitivity(of: { $0 }, at: input, radius: 0, samples: 3) == [0])
        expectError(.invalidRequest, mentioning: "radius -1.0") {
            try MaxSensitivity.sensitivity(of: { $0 }, at: input, radius: -1, samples: 3)
        }
        expectError(.invalidRequest, mentioning: "0 draws") {
            try MaxSensitivity.sensitivity(of: { $0 }, at: input, radius: 1, samples: 0)
        }
        var calls = 0
        expectError(.invalidRequest, mentioning: "perturbed input has shape [1, 3]") {
            try MaxSensitivity.sensitivity(of: { x in
                calls += 1
                return calls == 1 ? x : Tensor(zeros: [1, 3])
            }, at: input, radius: 1, samples: 2)
        }
        expectError(.invalidRequest, mentioning: "one explanation per sample", "got [2, 2]") {
            try MaxSensitivity.sensitivity(of: { _ in Tensor(zeros: [2, 2]) }, at: input, radius: 1, samples: 2)
        }
    }
}
