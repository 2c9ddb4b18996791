import Testing
import STCore
import TestSupport
@testable import STData

@Suite struct ArrowOfTimeTests {
    @Test func reversingATimeAxisReordersItsSlices() {
        // Shape 2×3×1 holding 0…5: along axis 1, [0, 1, 2 | 3, 4, 5] becomes [2, 1, 0 | 5, 4, 3].
        let tensor = Tensor(shape: [2, 3, 1], scalars: [0, 1, 2, 3, 4, 5])
        let reversed = timeReversed(tensor, axis: 1)
        #expect(reversed.shape == [2, 3, 1])
        #expect(reversed.scalars == [2, 1, 0, 5, 4, 3])
        // Along axis 0 the two blocks swap.
        #expect(timeReversed(tensor, axis: 0).scalars == [3, 4, 5, 0, 1, 2])
    }

    @Test func evenIndicesAreTheSourceClipsPlayedForwards() throws {
        let arrow = try ArrowOfTime(clips: 6, seed: 2)
        #expect(arrow.count == 12)
        #expect(arrow.classNames == ["forward", "reversed"])
        for k in 0..<3 {
            let forward = arrow.sample(2 * k)
            let clip = arrow.source.sample(k)
            #expect(forward.label == 0)
            #expect(forward.input == clip.input)
            #expect(forward.groundTruth == clip.groundTruth)
        }
    }

    @Test func oddIndicesAreTheTimeFlipOfTheForwardClip() throws {
        let arrow = try ArrowOfTime(clips: 4, seed: 3)
        for k in 0..<4 {
            let forward = arrow.sample(2 * k)
            let reversed = arrow.sample(2 * k + 1)
            #expect(reversed.label == 1)
            let (channels, frames, pixels) = (3, 16, 32 * 32)
            let x = forward.input.scalars
            let y = reversed.input.scalars
            let m = forward.groundTruth!.scalars
            let n = reversed.groundTruth!.scalars
            for t in 0..<frames {
                let mirror = frames - 1 - t
                #expect(n[t * pixels..<(t + 1) * pixels] == m[mirror * pixels..<(mirror + 1) * pixels])
                for c in 0..<channels {
                    let here = (c * frames + t) * pixels
                    let there = (c * frames + mirror) * pixels
                    #expect(y[here..<here + pixels] == x[there..<there + pixels], "clip \(k) channel \(c) frame \(t)")
                }
            }
        }
    }

    @Test func defaultSourceDeceleratesSoReversedClipsAccelerate() throws {
        // easeOut: p = 1 − (1 − s)², so frames 0–8 cover p(8/15) = 0.78 of the path and frames
        // 8–15 the remaining 0.22: path lengths in a ratio of about 3.6 (1/3.6 reversed).
        let arrow = try ArrowOfTime(clips: 10, seed: 4)
        for index in 0..<arrow.count {
            let sample = arrow.sample(index)
            let mask = sample.groundTruth!
            let centroids = (0..<16).map { MovingShapesTests.centroid(mask, frame: $0)! }
            let steps = (1..<16).map { t in
                let step = centroids[t] - centroids[t - 1]
                return (step * step).sum().squareRoot()
            }
            let early = steps[0..<8].reduce(0, +)
            let late = steps[8..<15].reduce(0, +)
            if sample.label == 0 {
                #expect(early > 1.5 * late, "forward \(index): \(early) vs \(late)")
            } else {
                #expect(late > 1.5 * early, "reversed \(index): \(early) vs \(late)")
            }
        }
    }

    @Test func defaultSourceHoldsMotionPatternsOnly() throws {
        let arrow = try ArrowOfTime(clips: 1, seed: 0)
        #expect(arrow.source.configuration.patterns == MovingShapes.Pattern.motions)
        #expect(arrow.source.configuration.timing == .easeOut)
        expectError(.invalidRequest, mentioning: "at least 4 frames", "got 2×32×32") {
            try ArrowOfTime(clips: 1, configuration: .init(frames: 2))
        }
    }
}
