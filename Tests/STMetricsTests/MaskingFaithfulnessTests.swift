import Testing
import STCore
import TestSupport
@testable import STMetrics

@Suite struct MaskingFaithfulnessTests {
    @Test func betaOfSeedZerosAccuraciesIsTheirReported885() throws {
        // β = 0.1·|88.3 − 88.1|/88.3 + 0.5·|88.3 − 64.31|/88.3 + 0.9·|88.3 − 14.82|/88.3
        //   = 0.02/88.3 + 11.995/88.3 + 66.132/88.3 = 0.000226 + 0.135844 + 0.748947 = 0.885017.
        let points = zip(MaskingFaithfulness.defaultFractions, [88.1, 64.31, 14.82]).map {
            MaskingFaithfulness.AccuracyPoint(fraction: $0, accuracy: $1)
        }
        #expect(abs(try MaskingFaithfulness.beta(baselineAccuracy: 88.3, accuracies: points) - 0.885017) < 1e-6)
        // The same accuracies as fractions give the same ratio.
        let fractions = points.map { MaskingFaithfulness.AccuracyPoint(fraction: $0.fraction, accuracy: $0.accuracy / 100) }
        #expect(abs(try MaskingFaithfulness.beta(baselineAccuracy: 0.883, accuracies: fractions) - 0.885017) < 1e-6)
    }

    @Test func betaRejectsAZeroBaselineAndFractionsOutsideTheUnitInterval() {
        expectError(.invalidRequest, mentioning: "positive baseline accuracy") {
            try MaskingFaithfulness.beta(baselineAccuracy: 0, accuracies: [])
        }
        expectError(.invalidRequest, mentioning: "masked fraction 10.0 is outside [0, 1]") {
            try MaskingFaithfulness.beta(baselineAccuracy: 90, accuracies: [.init(fraction: 10, accuracy: 80)])
        }
    }

    @Test func maskedCountRoundsHalvesUp() throws {
        // ⌊m·n + ½⌋: 2.5 → 3, 12.5 → 13, 22.5 → 23, 0.4 → 0, 2.5 → 3.
        #expect(try MaskingFaithfulness.maskedCount(fraction: 0.1, of: 25) == 3)
        #expect(try MaskingFaithfulness.maskedCount(fraction: 0.5, of: 25) == 13)
        #expect(try MaskingFaithfulness.maskedCount(fraction: 0.9, of: 25) == 23)
        #expect(try MaskingFaithfulness.maskedCount(fraction: 0.1, of: 4) == 0)
        #expect(try MaskingFaithfulness.maskedCount(fraction: 0.5, of: 5) == 3)
        #expect(try MaskingFaithfulness.maskedCount(fraction: 0, of: 7) == 0)
        #expect(try MaskingFaithfulness.maskedCount(fraction: 1, of: 7) == 7)
        expectError(.invalidRequest, mentioning: "masked fraction -0.1 is outside [0, 1]") {
            try MaskingFaithfulness.maskedCount(fraction: -0.1, of: 7)
        }
    }

    @Test func maskedElementsTakeTheHighestOrLowestScoresWithTiesToTheLowerIndex() throws {
        // Half of 5 → 3 elements. Highest: 0.9 (1), 0.9 (3), 0.5 (0); lowest: 0.1 (2), 0.3 (4), 0.5 (0).
        let scores: [Float] = [0.5, 0.9, 0.1, 0.9, 0.3]
        #expect(try MaskingFaithfulness.maskedElements(scores: scores, fraction: 0.5, side: .important) == [1, 3, 0])
        #expect(try MaskingFaithfulness.maskedElements(scores: scores, fraction: 0.5, side: .nonImportant) == [2, 4, 0])
        // Three tied lowest scores: the first two indices.
        #expect(try MaskingFaithfulness.maskedElements(scores: [0.2, 0.2, 0.5, 0.2], fraction: 0.5, side: .nonImportant)
                == [0, 1])
        expectError(.invalidRequest, mentioning: "contain NaN") {
            try MaskingFaithfulness.maskedElements(scores: [0.2, .nan], fraction: 0.5, side: .important)
        }
        #expect(MaskingSide(rawValue: "non-important") == .nonImportant)
    }

    @Test func maskingVoxelsReplacesEveryChannelAtThosePositions() throws {
        // Input (N 1, C 2, T 2, H 1, W 2); the voxel grid (T, H, W) = (2, 1, 2) has 4 positions.
        // Positions 1 = (t 0, w 1) and 2 = (t 1, w 0) are zeroed in both channels.
        let input = Tensor(shape: [1, 2, 2, 1, 2], scalars: [1, 2, 3, 4, 5, 6, 7, 8])
        let masked = try MaskingFaithfulness.masked(input, elements: [[1, 2]], axes: [2, 3, 4], baseline: .constant(0))
        #expect(masked == Tensor(shape: [1, 2, 2, 1, 2], scalars: [1, 0, 0, 4, 5, 0, 0, 8]))
    }

    @Test func maskingAJointReplacesItInEveryFrameChannelAndPerson() throws {
        // Skeletons (N 1, C 2, T 2, V 3, M 2) hold 1…24; the element (c, t, v, m) sits at
        // ((c·2 + t)·3 + v)·2 + m, so joint 1 is at 2, 3 in each run of six: 2 3, 8 9, 14 15, 20 21.
        let input = Tensor(shape: [1, 2, 2, 3, 2], scalars: (1...24).map(Float.init))
        let masked = try MaskingFaithfulness.masked(input, elements: [[1]], axes: [3], baseline: .constant(-1))
        #expect(masked.scalars == [1, 2, -1, -1, 5, 6, 7, 8, -1, -1, 11, 12,
                                   13, 14, -1, -1, 17, 18, 19, 20, -1, -1, 23, 24])
    }

    @Test func maskingByMapsTakesEachSamplesOwnRankingAndTheBaselineTensor() throws {
        // Images (N 2, C 1, H 2, W 2) and pixel maps (2, 2, 2); half of 4 pixels → 2 per sample.
        // Sample 0 scores [0.1, 0.4, 0.3, 0.2]: top 1, 2; bottom 0, 3.
        // Sample 1 scores [0.9, 0.1, 0.1, 0.5]: top 0, 3; bottom 1, 2 (tie, lower index first).
        let input = Tensor(shape: [2, 1, 2, 2], scalars: [1, 2, 3, 4, 5, 6, 7, 8])
        let maps = Tensor(shape: [2, 2, 2], scalars: [0.1, 0.4, 0.3, 0.2, 0.9, 0.1, 0.1, 0.5])
        let baseline = MaskingBaseline.tensor(Tensor(shape: [2, 1, 2, 2], scalars: [10, 20, 30, 40, 50, 60, 70, 80]))
        let important = try MaskingFaithfulness.masked(input, maps: maps, axes: [2, 3], fraction: 0.5, side: .important,
                                                       baseline: baseline)
        #expect(important.scalars == [1, 20, 30, 4, 50, 6, 7, 80])
        let nonImportant = try MaskingFaithfulness.masked(input, maps: maps, axes: [2, 3], fraction: 0.5,
                                                          side: .nonImportant, baseline: baseline)
        #expect(nonImportant.scalars == [10, 2, 3, 40, 5, 60, 70, 8])
    }

    @Test func mismatchedShapesAndPositionsAreErrors() {
        let input = Tensor(zeros: [2, 1, 2, 2])
        expectError(.invalidRequest, mentioning: "maps [2, 4] do not score input") {
            try MaskingFaithfulness.masked(input, maps: Tensor(zeros: [2, 4]), axes: [2, 3], fraction: 0.5,
                                           side: .important, baseline: .constant(0))
        }
        expectError(.invalidRequest, mentioning: "position 4 of sample 0 is outside") {
            try MaskingFaithfulness.masked(input, elements: [[4], []], axes: [2, 3], baseline: .constant(0))
        }
        expectError(.invalidRequest, mentioning: "1 position lists for the 2 samples") {
            try MaskingFaithfulness.masked(input, elements: [[0]], axes: [2, 3], baseline: .constant(0))
        }
        expectError(.invalidRequest, mentioning: "baseline [2, 4] does not match input") {
            try MaskingFaithfulness.masked(input, elements: [[0], [0]], axes: [2, 3], baseline: .tensor(Tensor(zeros: [2, 4])))
        }
    }
}
