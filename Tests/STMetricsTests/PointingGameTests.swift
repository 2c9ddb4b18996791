import Testing
import STCore
import TestSupport
@testable import STMetrics

@Suite struct PointingGameTests {
    // Two 1 × 3 × 3 samples (T = 1). Sample 0's maximum (9) sits at (0, 2) on the mask; sample 1's
    // maximum (9) sits at (2, 0), one step diagonal from the mask element at (1, 1).
    let maps = Tensor(shape: [2, 1, 3, 3], scalars: [1, 2, 9, 0, 0, 0, 0, 0, 0,
                                                     0, 0, 0, 0, 1, 0, 9, 0, 0])
    let masks = Tensor(shape: [2, 1, 3, 3], scalars: [0, 0, 1, 0, 0, 0, 0, 0, 0,
                                                      0, 0, 0, 0, 1, 0, 0, 0, 0])

    @Test func maximumOnTheMaskHitsAndOffTheMaskMisses() throws {
        #expect(try PointingGame.hits(maps: maps, masks: masks) == [true, false])
        #expect(try PointingGame.accuracy(maps: maps, masks: masks) == 0.5)
    }

    @Test func toleranceCountsNearbyMaskElements() throws {
        #expect(try PointingGame.hits(maps: maps, masks: masks, tolerance: 1) == [true, true])
    }

    @Test func mismatchedShapesAreAnError() {
        expectError(.invalidRequest, mentioning: "maps and masks of one shape", "got [2, 1, 3, 3] and [2, 3, 3]") {
            try PointingGame.hits(maps: maps, masks: Tensor(zeros: [2, 3, 3]))
        }
    }
}
