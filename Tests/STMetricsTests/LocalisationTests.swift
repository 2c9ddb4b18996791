import Testing
import STCore
import TestSupport
@testable import STMetrics

@Suite struct LocalisationTests {
    // Two samples of 2 × 3 positions.
    // Sample 0: map [3, −1, 2, 0.5, 0, 1], mask at positions 0, 1, 5.
    // Sample 1: a constant map 0.5, mask at positions 1, 2.
    let maps = Tensor(shape: [2, 2, 3], scalars: [3, -1, 2, 0.5, 0, 1, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5])
    let masks = Tensor(shape: [2, 2, 3], scalars: [1, 1, 0, 0, 0, 1, 0, 1, 1, 0, 0, 0])

    @Test func relevanceMassAccuracyCountsPositiveRelevanceOnTheMask() throws {
        // Sample 0: R⁺ = [3, 0, 2, 0.5, 0, 1] sums to 6.5, of which 3 + 0 + 1 = 4 on the mask → 4/6.5.
        // Sample 1: 2 of 6 equal shares → 1/3.
        let values = try Localisation.relevanceMassAccuracy(maps: maps, masks: masks)
        #expect(abs(values[0] - 4 / 6.5) < 1e-12 && abs(values[1] - 1.0 / 3) < 1e-12)
        #expect(abs(try Localisation.mean(values) - (4 / 6.5 + 1.0 / 3) / 2) < 1e-12)
    }

    @Test func relevanceRankAccuracyCountsTheTopMaskSizedPositionsOnTheMask() throws {
        // Sample 0: K = 3; the top three are 3 (0), 2 (2), 1 (5), of which 0 and 5 are on the mask → 2/3.
        // Sample 1: K = 2; all tie, so the top two are positions 0, 1, of which 1 is on the mask → 1/2.
        let values = try Localisation.relevanceRankAccuracy(maps: maps, masks: masks)
        #expect(abs(values[0] - 2.0 / 3) < 1e-12 && values[1] == 0.5)
    }

    @Test func topKIntersectionCountsTheTopKPositionsOnTheMask() throws {
        // k = 2. Sample 0: positions 0, 2 → one on the mask. Sample 1: positions 0, 1 → one.
        #expect(try Localisation.topKIntersection(maps: maps, masks: masks, k: 2) == [0.5, 0.5])
        expectError(.invalidRequest, mentioning: "got k = 0") {
            try Localisation.topKIntersection(maps: maps, masks: masks, k: 0)
        }
        expectError(.invalidRequest, mentioning: "got k = 7") {
            try Localisation.topKIntersection(maps: maps, masks: masks, k: 7)
        }
    }

    @Test func otsuIoUComparesTheThresholdedMapWithTheMask() throws {
        // Sample 0: Otsu's between-class variance w₀w₁(μ₀ − μ₁)² over the sorted values −1, 0, 0.5,
        // 1, 2, 3 is largest for the split {−1, 0, 0.5, 1} | {2, 3}: 4·2·(0.125 − 2.5)² = 45.125
        // (next: {−1, 0, 0.5} | {1, 2, 3}, 9·(−1/6 − 2)² = 42.25). Foreground {0, 2}, mask {0, 1, 5}:
        // IoU = 1/4. Sample 1: a constant map has no foreground → 0.
        #expect(try Localisation.otsuIntersectionOverUnion(maps: maps, masks: masks) == [0.25, 0])
    }

    @Test func theMaskItselfScoresOneOnEveryMetric() throws {
        let masks = Tensor(shape: [2, 2, 3], scalars: [0, 1, 1, 0, 0, 0, 1, 0, 0, 0, 0, 1])
        #expect(try Localisation.relevanceMassAccuracy(maps: masks, masks: masks) == [1, 1])
        #expect(try Localisation.relevanceRankAccuracy(maps: masks, masks: masks) == [1, 1])
        #expect(try Localisation.topKIntersection(maps: masks, masks: masks, k: 2) == [1, 1])
        #expect(try Localisation.otsuIntersectionOverUnion(maps: masks, masks: masks) == [1, 1])
    }

    @Test func zeroMapsAndEmptyMasksScoreZeroNotNaN() throws {
        let zeros = Tensor(zeros: [1, 2, 3])
        let mask = Tensor(shape: [1, 2, 3], scalars: [1, 0, 0, 0, 0, 0])
        #expect(try Localisation.relevanceMassAccuracy(maps: zeros, masks: mask) == [0])
        // All positions tie; the top one is position 0, on the mask.
        #expect(try Localisation.relevanceRankAccuracy(maps: zeros, masks: mask) == [1])
        #expect(try Localisation.otsuIntersectionOverUnion(maps: zeros, masks: mask) == [0])
        #expect(try Localisation.relevanceMassAccuracy(maps: maps, masks: Tensor(zeros: [2, 2, 3])) == [0, 0])
        #expect(try Localisation.relevanceRankAccuracy(maps: maps, masks: Tensor(zeros: [2, 2, 3])) == [0, 0])
        #expect(try Localisation.otsuIntersectionOverUnion(maps: maps, masks: Tensor(zeros: [2, 2, 3])) == [0, 0])
    }

    @Test func mismatchedShapesAndNoSamplesAreErrors() {
        expectError(.invalidRequest, mentioning: "maps and masks of one non-empty shape", "got [2, 2, 3] and [2, 6]") {
            try Localisation.relevanceMassAccuracy(maps: maps, masks: Tensor(zeros: [2, 6]))
        }
        expectError(.invalidRequest, mentioning: "the mean of no samples") { try Localisation.mean([]) }
    }
}
