import Testing
import STCore
import TestSupport
@testable import STMetrics

@Suite struct SSIMTests {
    @Test func identicalMapsScoreOne() throws {
        let map = Tensor.randomUniform(shape: [2, 9, 10], in: 0...1, seed: 7)
        for value in try SSIM.similarity(map, map, dataRange: 1) { #expect(abs(value - 1) < 1e-9) }
    }

    @Test func oneWindowMatchesTheFormulaByHand() throws {
        // A 7 × 7 map x with ones in its first row, and y = 2x, data range L = 2: one window.
        // μx = 7/49 = 1/7, σx² = 49/48·(1/7 − 1/49) = 1/8; μy = 2/7, σy² = 1/2, σxy = 1/4.
        // C₁ = (0.01·2)² = 0.0004, C₂ = (0.03·2)² = 0.0036.
        // SSIM = (2·(1/7)(2/7) + C₁)(2·¼ + C₂) / ((1/49 + 4/49 + C₁)(⅛ + ½ + C₂))
        //      = (4/49 + 0.0004)(0.5036) / ((5/49 + 0.0004)(0.6286)) = 0.641542.
        let x = Tensor(shape: [7, 7], scalars: (0..<49).map { $0 < 7 ? 1 : 0 })
        let y = Tensor(shape: [7, 7], scalars: x.scalars.map { 2 * $0 })
        let expected = (4.0 / 49 + 0.0004) * 0.5036 / ((5.0 / 49 + 0.0004) * 0.6286)
        let values = try SSIM.similarity(x, y, dataRange: 2)
        #expect(values.count == 1 && abs(values[0] - expected) < 1e-9 && abs(values[0] - 0.641542) < 1e-6)
    }

    @Test func constantMapsStayFinite() throws {
        // All four 7 × 7 windows of 8 × 8 constants 0.2 and 0.6 (L = 1) have σ = 0, so
        // SSIM = (2·0.2·0.6 + 10⁻⁴)/(0.2² + 0.6² + 10⁻⁴) = 0.2401/0.4001 = 0.600100.
        let x = Tensor(repeating: 0.2, shape: [8, 8])
        let y = Tensor(repeating: 0.6, shape: [8, 8])
        let values = try SSIM.similarity(x, y, dataRange: 1)
        #expect(values.count == 1 && abs(values[0] - 0.2401 / 0.4001) < 1e-6)
        #expect(try SSIM.similarity(x, x, dataRange: 1) == [1])
    }

    @Test func smallMapsEvenWindowsAndBadRangesAreErrors() {
        let small = Tensor(zeros: [5, 5])
        expectError(.invalidRequest, mentioning: "no larger than the maps' 5 × 5; got 7") {
            try SSIM.similarity(small, small, dataRange: 1)
        }
        expectError(.invalidRequest, mentioning: "odd window", "got 4") {
            try SSIM.similarity(small, small, dataRange: 1, windowSize: 4)
        }
        expectError(.invalidRequest, mentioning: "positive data range") {
            try SSIM.similarity(small, small, dataRange: 0, windowSize: 3)
        }
        expectError(.invalidRequest, mentioning: "maps of one shape", "got [5, 5] and [5, 6]") {
            try SSIM.similarity(small, Tensor(zeros: [5, 6]), dataRange: 1, windowSize: 3)
        }
    }
}
