import Testing
import STCore
import STExplain
import TestSupport
@testable import STMetrics

@Suite struct PositionGridTests {
    @Test func inputKindsGiveTheirMapAxes() throws {
        let video = try PositionGrid(inputShape: [1, 3, 4, 5, 6], kind: .video)
        #expect(video.axes == [2, 3, 4] && video.shape == [4, 5, 6] && video.count == 120 && video.mapShape == [1, 4, 5, 6])
        let skeleton = try PositionGrid(inputShape: [2, 3, 10, 25, 2], kind: .skeleton)
        #expect(skeleton.axes == [2, 3] && skeleton.mapShape == [2, 10, 25])
        let image = try PositionGrid(inputShape: [1, 3, 8, 9], kind: .image)
        #expect(image.mapShape == [1, 8, 9])
        expectError(.invalidRequest, mentioning: "a video input has 5 axes") {
            try PositionGrid(inputShape: [1, 3, 8, 9], kind: .video)
        }
    }

    @Test func axesMustBeIncreasingAxesAfterTheSampleAxis() {
        for axes in [[0], [3, 2], [2, 2], [4]] {
            expectError(.invalidRequest, mentioning: "increasing axes after the sample axis") {
                try PositionGrid(inputShape: [1, 3, 8, 9], axes: axes)
            }
        }
    }

    @Test func framePositionsCoverWholeFrames() throws {
        // Input (N 1, C 2, T 3, W 2) with per-frame positions: frame 1 is elements 2, 3 of each channel.
        let grid = try PositionGrid(inputShape: [1, 2, 3, 2], axes: [2])
        let input = Tensor(shape: [1, 2, 3, 2], scalars: (1...12).map(Float.init))
        let replaced = try grid.replacing([[1]], in: input, with: .constant(0))
        #expect(replaced.scalars == [1, 2, 0, 0, 5, 6, 7, 8, 0, 0, 11, 12])
    }

    @Test func rankingsOrderEachSamplesPositionsByItsMap() throws {
        // Sample 0 scores [0.2, 0.8, 0.5]: highest first 1, 2, 0; sample 1 ties [0.3, 0.3, 0.1]: 0, 1, 2.
        let grid = try PositionGrid(inputShape: [2, 1, 3], axes: [2])
        let maps = Tensor(shape: [2, 3], scalars: [0.2, 0.8, 0.5, 0.3, 0.3, 0.1])
        #expect(try grid.rankings(of: maps, side: .important) == [[1, 2, 0], [0, 1, 2]])
        #expect(try grid.rankings(of: maps, side: .nonImportant) == [[0, 2, 1], [2, 0, 1]])
        expectError(.invalidRequest, mentioning: "maps [2, 1, 3] do not score input") {
            try grid.rankings(of: Tensor(zeros: [2, 1, 3]), side: .important)
        }
    }
}
