import Testing
import STCore
import TestSupport
@testable import STMetrics

@Suite struct OtsuTests {
    @Test func fiveBinsSplitTwoClustersByHand() throws {
        // 0, 1, 2, 8, 9, 10 in 5 bins of width 2 over [0, 10]: counts 2, 1, 0, 0, 3, centres 1, 3, 5, 7, 9.
        // Splits after bin 0: 2·4·(1 − 7.5)² = 338; after bin 1: 3·3·(5/3 − 9)² = 484 (bins 2, 3
        // tie, the first wins). The lower class {0, 1, 2} ends at 2.
        #expect(try Otsu.threshold([0, 1, 2, 8, 9, 10], bins: 5) == 2)
    }

    @Test func bimodalValuesSplitBetweenTheModes() throws {
        let values: [Float] = [0, 0.05, 0.1, 0.9, 0.95, 1, 0.02, 0.97]
        let threshold = try Otsu.threshold(values)
        #expect(threshold == 0.1)
        #expect(values.filter { $0 > threshold }.sorted() == [0.9, 0.95, 0.97, 1])
        // An increasing affine change moves the split with the values.
        #expect(try Otsu.threshold(values.map { 10 * $0 - 3 }) == 10 * Float(0.1) - 3)
    }

    @Test func constantValuesAreTheirOwnThresholdAndBadInputsAreErrors() throws {
        #expect(try Otsu.threshold([0.4, 0.4, 0.4]) == 0.4)
        expectError(.invalidRequest, mentioning: "got 0 values") { try Otsu.threshold([]) }
        expectError(.invalidRequest, mentioning: "0.0…inf") { try Otsu.threshold([0, .infinity]) }
        expectError(.invalidRequest, mentioning: "1 bins") { try Otsu.threshold([0, 1], bins: 1) }
    }
}
