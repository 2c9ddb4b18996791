import Testing
import STCore
import TestSupport
@testable import STData

@Suite struct MovingShapesTests {
    /// Mask centroid `(x, y)` of frame `t` (pixel centres at +0.5), nil for an empty frame.
    static func centroid(_ mask: Tensor, frame t: Int) -> SIMD2<Float>? {
        let (height, width) = (mask.shape[1], mask.shape[2])
        let values = mask.scalars
        var sum = SIMD2<Float>.zero
        var area: Float = 0
        for y in 0..<height {
            for x in 0..<width where values[(t * height + y) * width + x] == 1 {
                sum += SIMD2(Float(x) + 0.5, Float(y) + 0.5)
                area += 1
            }
        }
        return area > 0 ? sum / area : nil
    }

    /// Indices `0..<count` whose label is `pattern` (labels cycle with the index).
    static func indices(of pattern: MovingShapes.Pattern, in data: MovingShapes, samples: Int) -> [Int] {
        let label = data.configuration.patterns.firstIndex(of: pattern)!
        return (0..<samples).map { label + $0 * data.configuration.patterns.count }
    }

    @Test func sameSeedAndIndexGiveIdenticalSamplesAndOtherIndicesDiffer() throws {
        let data = try MovingShapes(count: 40, seed: 7)
        let again = try MovingShapes(count: 40, seed: 7)
        let other = try MovingShapes(count: 40, seed: 8)
        let sample = data.sample(3)
        #expect(sample.input == again.sample(3).input)
        #expect(sample.groundTruth == again.sample(3).groundTruth)
        // Index 11 has the same class as index 3 (8 classes), yet another clip.
        #expect(data.sample(11).label == sample.label)
        #expect(data.sample(11).input != sample.input)
        #expect(other.sample(3).input != sample.input)
    }

    @Test func clipsHaveTheDocumentedShapesAndStandardisedValues() throws {
        let data = try MovingShapes(count: 48, seed: 1)
        #expect(data.classNames == ["move left", "move right", "move up", "move down", "circle", "blink",
                                    "red star", "blue ring"])
        var sums = [Double](repeating: 0, count: 3)
        var squares = [Double](repeating: 0, count: 3)
        for index in 0..<data.count {
            let sample = data.sample(index)
            #expect(sample.input.shape == [3, 16, 32, 32])
            #expect(sample.groundTruth?.shape == [16, 32, 32])
            #expect(sample.groundTruth!.scalars.allSatisfy { $0 == 0 || $0 == 1 })
            #expect(sample.label == index % 8)
            let values = sample.input.scalars
            for c in 0..<3 {
                for value in values[c * 16_384..<(c + 1) * 16_384] {
                    sums[c] += Double(value)
                    squares[c] += Double(value * value)
                }
            }
        }
        // The normalisation constants were measured on 2,000 clips; 48 clips agree to ~0.1.
        let voxels = Double(48 * 16_384)
        for c in 0..<3 {
            let mean = sums[c] / voxels
            let std = (squares[c] / voxels - mean * mean).squareRoot()
            #expect(abs(mean) < 0.15, "channel \(c) mean \(mean)")
            #expect(abs(std - 1) < 0.15, "channel \(c) std \(std)")
        }
    }

    @Test func maskMarksExactlyThePixelsTheDecidingObjectCoversAtLeastHalf() throws {
        // Without noise, a pixel's value is α·colour + (1 − α)·(the clip without the object), so
        // α = (with − without)/(colour − without) in any channel; the mask must be α ≥ ½.
        let data = try MovingShapes(count: 16, seed: 3, configuration: .init(noise: 0))
        var checkedInside = 0
        var checkedOutside = 0
        for index in 0..<data.count {
            let scene = data.scene(index)
            let with = data.render(scene).scalars
            let without = data.render(scene, includingDecidingObject: false).scalars
            let mask = data.mask(scene).scalars
            let colour = scene.decidingObject.colour.components.enumerated().map { c, value in
                (value - MovingShapes.channelMean[c]) / MovingShapes.channelStd[c]
            }
            for voxel in 0..<mask.count {
                let contrasts = (0..<3).map { colour[$0] - without[$0 * mask.count + voxel] }
                let c = (0..<3).max { abs(contrasts[$0]) < abs(contrasts[$1]) }!
                guard abs(contrasts[c]) > 0.5 else { continue }
                let alpha = (with[c * mask.count + voxel] - without[c * mask.count + voxel]) / contrasts[c]
                guard abs(alpha - 0.5) > 1e-3 else { continue }
                #expect((mask[voxel] == 1) == (alpha > 0.5), "sample \(index) voxel \(voxel) α \(alpha)")
                if mask[voxel] == 1 { checkedInside += 1 } else { checkedOutside += 1 }
            }
        }
        #expect(checkedInside > 16 * 100)
        #expect(checkedOutside > 16 * 10_000)
    }

    @Test func straightMotionsMoveTheMaskCentroidInTheirDirection() throws {
        // Travel is 35–55 % of the 32-pixel side (≥ 11.2 px) at constant speed.
        let data = try MovingShapes(count: 80, seed: 4)
        let directions: [(MovingShapes.Pattern, SIMD2<Float>)] = [
            (.moveLeft, SIMD2(-1, 0)), (.moveRight, SIMD2(1, 0)), (.moveUp, SIMD2(0, -1)), (.moveDown, SIMD2(0, 1)),
        ]
        for (pattern, direction) in directions {
            for index in Self.indices(of: pattern, in: data, samples: 4) {
                let mask = data.sample(index).groundTruth!
                let centroids = (0..<16).map { Self.centroid(mask, frame: $0)! }
                let along = (centroids[15] - centroids[0]) * direction
                let across = (centroids[15] - centroids[0]) * SIMD2(direction.y, direction.x)
                #expect(along.sum() > 10, "\(pattern) sample \(index) moved \(along.sum()) px")
                #expect(abs(across.sum()) < 1, "\(pattern) sample \(index) drifted \(across.sum()) px")
                for t in 1..<16 {
                    #expect(((centroids[t] - centroids[t - 1]) * direction).sum() > 0, "\(pattern) frame \(t)")
                }
            }
        }
    }

    @Test func circleMotionKeepsTheMaskCentroidOnACircle() throws {
        let data = try MovingShapes(count: 80, seed: 5)
        for index in Self.indices(of: .circle, in: data, samples: 4) {
            let mask = data.sample(index).groundTruth!
            let points = (0..<16).map { Self.centroid(mask, frame: $0)! }
            // Circumcentre of the first, middle and last centroids.
            let (a, b, c) = (points[0], points[8], points[15])
            let d = 2 * (a.x * (b.y - c.y) + b.x * (c.y - a.y) + c.x * (a.y - b.y))
            let aa = (a * a).sum(), bb = (b * b).sum(), cc = (c * c).sum()
            let centre = SIMD2((aa * (b.y - c.y) + bb * (c.y - a.y) + cc * (a.y - b.y)) / d,
                               (aa * (c.x - b.x) + bb * (a.x - c.x) + cc * (b.x - a.x)) / d)
            let radius = ((a - centre) * (a - centre)).sum().squareRoot()
            // Orbit radius is 15–22 % of 32 px: 4.8–7.0 px.
            #expect(radius > 4 && radius < 8, "sample \(index) radius \(radius)")
            // Pixelated mask centroids wobble by up to ~½ px, and so does the fitted centre.
            for point in points {
                let distance = ((point - centre) * (point - centre)).sum().squareRoot()
                #expect(abs(distance - radius) < 1, "sample \(index) off the circle by \(distance - radius)")
            }
        }
    }

    @Test func blinkShowsAndHidesAStaticObject() throws {
        let data = try MovingShapes(count: 80, seed: 6)
        for index in Self.indices(of: .blink, in: data, samples: 4) {
            let mask = data.sample(index).groundTruth!.scalars
            let frames = (0..<16).map { Array(mask[$0 * 1024..<($0 + 1) * 1024]) }
            let shown = frames.filter { $0.contains(1) }
            #expect(shown.count >= 6 && shown.count <= 10, "sample \(index) shown in \(shown.count) frames")
            #expect(shown.allSatisfy { $0 == shown[0] })
        }
    }

    @Test func appearancePatternsKeepAStaticMaskInTheirCueColour() throws {
        let data = try MovingShapes(count: 80, seed: 7, configuration: .init(noise: 0))
        for (pattern, channel) in [(MovingShapes.Pattern.redStar, 0), (.blueRing, 2)] {
            for index in Self.indices(of: pattern, in: data, samples: 4) {
                let sample = data.sample(index)
                let mask = sample.groundTruth!.scalars
                let first = Array(mask[0..<1024])
                #expect(first.contains(1))
                for t in 1..<16 {
                    #expect(Array(mask[t * 1024..<(t + 1) * 1024]) == first, "\(pattern) frame \(t)")
                }
                // Averaged over the mask (raw [0, 1] units), the cue channel outshines the other two
                // by far: the cue colours are (0.9, 0.1, 0.1) and (0.1, 0.2, 0.95) ± 0.05.
                let clip = sample.input.scalars
                let inside = (0..<1024).filter { first[$0] == 1 }
                let means = (0..<3).map { c in
                    inside.map { clip[c * 16_384 + $0] * MovingShapes.channelStd[c] + MovingShapes.channelMean[c] }
                        .reduce(0, +) / Float(inside.count)
                }
                for other in 0..<3 where other != channel {
                    #expect(means[channel] > means[other] + 0.3, "\(pattern) sample \(index) means \(means)")
                }
            }
        }
    }

    @Test func distractorsOnlyWobbleAndNeverShowTheCues() throws {
        let data = try MovingShapes(count: 64, seed: 8)
        for index in 0..<data.count {
            for distractor in data.scene(index).distractors {
                #expect([.circle, .square, .triangle].contains(distractor.silhouette.kind))
                #expect(distractor.visible.allSatisfy { $0 })
                // Oscillation amplitude ≤ 9 % of 32 px = 2.88 px about a fixed anchor.
                let mean = distractor.centres.reduce(.zero, +) / Float(distractor.centres.count)
                for centre in distractor.centres {
                    #expect(((centre - mean) * (centre - mean)).sum().squareRoot() < 2 * 2.88)
                }
            }
        }
    }

    @Test func trainValidationAndTestSplitsShareNoClip() throws {
        var seen: [[Float]: Split] = [:]
        for split in Split.allCases {
            let data = try MovingShapes(split: split, count: 50, seed: 0, configuration: .init(frames: 4))
            for index in 0..<50 {
                let clip = data.sample(index).input.scalars
                #expect(seen[clip] == nil, "\(split) sample \(index) repeats a \(String(describing: seen[clip])) clip")
                seen[clip] = split
            }
        }
        #expect(seen.count == 150)
    }

    @Test func batchStacksSamplesOnANewLeadingAxis() throws {
        let data = try MovingShapes(count: 10, seed: 9, configuration: .init(frames: 4))
        let batch = data.batch(indices: [5, 0, 2])
        #expect(batch.inputs.shape == [3, 3, 4, 32, 32])
        #expect(batch.masks?.shape == [3, 4, 32, 32])
        #expect(batch.targets == nil)
        #expect(batch.labels == [5, 0, 2])
        let perClip = 3 * 4 * 32 * 32
        #expect(Array(batch.inputs.scalars[0..<perClip]) == data.sample(5).input.scalars)
        #expect(Array(batch.inputs.scalars[2 * perClip..<3 * perClip]) == data.sample(2).input.scalars)
        #expect(Array(batch.masks!.scalars[4096..<8192]) == data.sample(0).groundTruth!.scalars)
    }

    @Test func invalidConfigurationsAreRejected() {
        expectError(.invalidRequest, mentioning: "at least 4 frames", "got 3×32×32") {
            try MovingShapes(count: 1, configuration: .init(frames: 3))
        }
        expectError(.invalidRequest, mentioning: "16×16 pixels", "got 16×32×8") {
            try MovingShapes(count: 1, configuration: .init(width: 8))
        }
        expectError(.invalidRequest, mentioning: "patterns must be distinct and non-empty") {
            try MovingShapes(count: 1, configuration: .init(patterns: []))
        }
        expectError(.invalidRequest, mentioning: "patterns must be distinct and non-empty") {
            try MovingShapes(count: 1, configuration: .init(patterns: [.blink, .blink]))
        }
        expectError(.invalidRequest, mentioning: "count -1") { try MovingShapes(count: -1) }
        expectError(.invalidRequest, mentioning: "noise must not be negative") {
            try MovingShapes(count: 1, configuration: .init(noise: -0.1))
        }
    }
}
