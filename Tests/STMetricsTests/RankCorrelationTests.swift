import Testing
import STCore
import TestSupport
@testable import STMetrics

@Suite struct RankCorrelationTests {
    @Test func tiesShareTheirAverageRank() throws {
        // 5 < 10 < 20 = 20: ranks 1, 2, and (3 + 4)/2 = 3.5 twice.
        #expect(try RankCorrelation.ranks([10, 20, 20, 5] as [Float]) == [2, 3.5, 3.5, 1])
    }

    @Test func swappingTheMiddlePairGivesPointEight() throws {
        // d = 0, 1, 1, 0: ρ = 1 − 6·2/(4·15) = 0.8.
        #expect(abs(try RankCorrelation.spearman([1, 2, 3, 4] as [Double], [1, 3, 2, 4]) - 0.8) < 1e-12)
        #expect(try RankCorrelation.spearman([1, 2, 3, 4] as [Double], [4, 3, 2, 1]) == -1)
    }

    @Test func tiedValuesUseThePearsonCorrelationOfAverageRanks() throws {
        // Ranks [1, 2.5, 2.5, 4] and [1, 2, 3, 4], both of mean 2.5: deviations [−1.5, 0, 0, 1.5] and
        // [−1.5, −0.5, 0.5, 1.5]; ρ = 4.5/√(4.5·5) = √0.9 = 0.948683.
        #expect(abs(try RankCorrelation.spearman([1, 2, 2, 3] as [Double], [1, 2, 3, 4]) - 0.9.squareRoot()) < 1e-12)
    }

    @Test func constantSamplesGiveZeroNotNaN() throws {
        #expect(try RankCorrelation.spearman([1, 1, 1] as [Double], [1, 2, 3]) == 0)
        #expect(try RankCorrelation.spearman([] as [Double], []) == 0)
    }

    @Test func batchesOfMapsCorrelatePerSample() throws {
        // Sample 0 agrees in order (ρ = 1); sample 1 is reversed (ρ = −1).
        let before = Tensor(shape: [2, 3], scalars: [0.1, 0.5, 0.9, 1, 2, 3])
        let after = Tensor(shape: [2, 3], scalars: [1, 2, 7, 3, 2, 1])
        #expect(try RankCorrelation.spearman(before, after) == [1, -1])
    }

    @Test func unequalLengthsAndNaNAreErrors() {
        expectError(.invalidRequest, mentioning: "samples of one length; got 2 and 3") {
            try RankCorrelation.spearman([1, 2] as [Double], [1, 2, 3])
        }
        expectError(.invalidRequest, mentioning: "contain NaN") {
            try RankCorrelation.spearman([1, .nan] as [Double], [1, 2])
        }
        expectError(.invalidRequest, mentioning: "maps of one shape", "got [2, 3] and [3, 2]") {
            try RankCorrelation.spearman(Tensor(zeros: [2, 3]), Tensor(zeros: [3, 2]))
        }
    }
}
