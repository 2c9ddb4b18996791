import Testing
import STCore
import TestSupport

/// The three tolerances on numbers chosen to be exact in binary, and what `expectClose` records.
@Suite struct ToleranceTests {
    @Test func absoluteToleranceBoundsEveryDifferenceInclusively() {
        // |1.25 − 1| = 0.25: within 0.25, not within 0.125.
        #expect(Tolerance.absolute(0.25).violation([0.5, 1.25], [0.5, 1]) == nil)
        #expect(Tolerance.absolute(0.125).violation([0.5, 1.25], [0.5, 1])
                == "index 1: actual 1.25, expected 1.0, |difference| 0.25 > absolute tolerance 0.125")
    }

    @Test func relativeToleranceScalesWithTheExpectedMagnitudeAboveItsFloor() {
        // Differences 0.25 at expected 0.5 and 2 at expected 8. Bound 0.25, floor 1: limits
        // 0.25·max(1, 0.5) = 0.25 and 0.25·8 = 2, both met. Floor 0: 0.25·0.5 = 0.125 < 0.25.
        #expect(Tolerance.relative(0.25, floor: 1).violation([0.75, 10], [0.5, 8]) == nil)
        #expect(Tolerance.relative(0.25, floor: 0).violation([0.75, 10], [0.5, 8])
                == "index 0: actual 0.75, expected 0.5, |difference| 0.25 > 0.25 · max(0.0, |0.5|) = 0.125"
                + " (relative tolerance 0.25, floor 0.0)")
    }

    @Test func normwiseToleranceMeasuresEveryDifferenceAgainstTheLargestMagnitude() {
        // 0.001 against 0.002 is 50 % off on its own, but 0.001/100 = 1e-5 of the largest entry.
        #expect(Tolerance.normwise(1e-4).violation([0.001, 100], [0.002, 100]) == nil)
        #expect(Tolerance.relative(1e-4, floor: 0).violation([0.001, 100], [0.002, 100]) != nil)
        // Largest difference 0.5 over largest magnitude 100 = 0.005 > 0.001, reported where it is.
        #expect(Tolerance.normwise(1e-3).violation([1, 2, 100], [1, 2.5, 100])
                == "index 1: actual 2.0, expected 2.5, normwise relative error 0.005 > 0.001")
    }

    @Test func nanPassesOnlyTheNormwiseToleranceAndOnlyOnBothSides() {
        #expect(Tolerance.absolute(1).violation([.nan], [.nan]) != nil)
        #expect(Tolerance.relative(1, floor: 1).violation([.nan], [.nan]) != nil)
        #expect(Tolerance.normwise(0).violation([.nan, 1], [.nan, 1]) == nil)
        #expect(Tolerance.normwise(1).violation([.nan, 1], [1, 1])
                == "index 0: actual nan, expected 1.0, normwise relative error inf > 1.0")
    }

    @Test func normwiseRelativeErrorIsTheLargestDifferenceOverTheLargestMagnitude() {
        // |[1, 2, 100] − [1, 2.5, 100]| max = 0.5, largest magnitude 100 → 0.005.
        let a = Tensor(shape: [3], scalars: [1, 2, 100]), b = Tensor(shape: [3], scalars: [1, 2.5, 100])
        #expect(abs(normwiseRelativeError(a, b) - 0.005) < 1e-7)
        #expect(normwiseRelativeError(a, b) == normwiseRelativeError(b, a))
        #expect(normwiseRelativeError(Tensor(zeros: [2]), Tensor(zeros: [2])) == 0)
        #expect(normwiseRelativeError(Tensor(shape: [1], scalars: [.nan]), Tensor(shape: [1], scalars: [.nan])) == 0)
        #expect(normwiseRelativeError(Tensor(shape: [1], scalars: [.nan]), Tensor(shape: [1], scalars: [1]))
                == .infinity)
        #expect(normwiseRelativeError([.infinity, 1], [.infinity, 1]) == 0)
        #expect(normwiseRelativeError([.infinity], [-.infinity]) == .infinity)
    }

    @Test func expectCloseAcceptsDifferencesWithinTheTolerance() {
        // |2 − 2.0001| / 2.0001 ≈ 5e-5 ≤ 1e-3.
        expectClose(Tensor(shape: [2], scalars: [1, 2]), Tensor(shape: [2], scalars: [1, 2.0001]), .normwise(1e-3))
        expectClose(Tensor(shape: [1, 2], scalars: [1, 2]), shape: [1, 2], [1, 2.5], .absolute(0.5))
        expectClose([[1, 2], [3]], [[1, 2.5], [3.5]], .relative(0.25, floor: 1))
    }

    @Test func expectCloseRecordsTheElementOutOfTolerance() {
        withKnownIssue {
            expectClose([1, 2], [1, 3], .absolute(0.5))
        } matching: { issue in
            issue.comments.contains { $0.rawValue.hasPrefix("index 1: actual 2.0, expected 3.0, |difference| 1.0 > ") }
        }
        withKnownIssue {
            expectClose([[1], [2]], [[1], [3]], .absolute(0.5))
        } matching: { issue in
            issue.comments.contains { $0.rawValue.hasPrefix("row 1: index 0: actual 2.0, expected 3.0") }
        }
    }

    @Test func expectCloseRecordsDifferentCountsAndShapes() {
        withKnownIssue {
            expectClose([1], [1, 2], .absolute(1))
        } matching: { issue in
            issue.comments.contains { $0.rawValue == "1 values, expected 2" }
        }
        withKnownIssue {
            expectClose(Tensor(zeros: [2, 1]), Tensor(zeros: [1, 2]), .absolute(1))
        } matching: { issue in
            issue.comments.contains { $0.rawValue == "shape [2, 1], expected [1, 2]" }
        }
        withKnownIssue {
            expectClose([[1]], [[1], [2]], .absolute(1))
        } matching: { issue in
            issue.comments.contains { $0.rawValue == "1 rows, expected 2" }
        }
    }
}
