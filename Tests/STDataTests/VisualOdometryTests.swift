import Testing
import STCore
import TestSupport
@testable import STData

@Suite struct VisualOdometryTests {
    /// A quarter-size configuration (32×104) keeps debug-build rendering fast.
    static let small = VisualOdometry.Configuration(height: 32, width: 104)

    /// A single textured wall facing the camera at depth `depth`: `z = depth`, texel `(x, y)·12`.
    static func wall(depth: Float) -> VisualOdometry.Scene {
        let texture = Raster.texture(height: 128, width: 128, base: RGB(0.5, 0.5, 0.5), contrast: 0.6,
                                     cellSizes: [32, 16, 8, 4], seed: 11)
        return VisualOdometry.Scene(planes: [
            VisualOdometry.Plane(normal: SIMD3(0, 0, 1), offset: depth, uAxis: SIMD3(1, 0, 0), vAxis: SIMD3(0, 1, 0),
                                 texture: texture, texelsPerUnit: 12),
        ])
    }

    @Test func samplesStackThreeFramesAndTwoPoseVectors() throws {
        let data = try VisualOdometry(count: 4, seed: 1)
        let sample = data.sample(2)
        #expect(sample.input.shape == [9, 64, 208])
        #expect(sample.target?.shape == [2, 6])
        #expect(sample.groundTruth == nil)
        #expect(data.classNames.isEmpty)
        #expect(sample.input.scalars.allSatisfy { $0 >= -1 && $0 <= 1 })
        #expect(sample.input == (try VisualOdometry(count: 4, seed: 1)).sample(2).input)
        #expect(sample.target == data.sample(2).target)
    }

    @Test func channelsAreTargetThenPreviousThenNextReference() throws {
        let data = try VisualOdometry(count: 3, seed: 2, configuration: Self.small)
        let sample = data.sample(1)
        let scene = data.scene(1)
        let poses = data.poses(1)
        let frames = [data.render(scene, from: .init()), data.render(scene, from: poses[0]), data.render(scene, from: poses[1])]
        #expect(sample.input.scalars == frames.flatMap(\.scalars))
        #expect(sample.target!.scalars == poses[0].vector + poses[1].vector)
        #expect(frames[0] != frames[1] && frames[0] != frames[2])
    }

    @Test func zeroMotionGivesThreeIdenticalFrames() throws {
        let still = VisualOdometry.Configuration(height: 32, width: 104, maxForward: 0, maxSideways: 0, maxYaw: 0,
                                                 maxTilt: 0, jitter: 0)
        let data = try VisualOdometry(count: 2, seed: 3, configuration: still)
        let sample = data.sample(0)
        let values = sample.input.scalars
        let frame = 3 * 32 * 104
        #expect(values[0..<frame] == values[frame..<2 * frame])
        #expect(values[0..<frame] == values[2 * frame..<3 * frame])
        #expect(sample.target!.scalars.allSatisfy { $0 == 0 })
    }

    @Test func sidewaysTranslationShiftsTheViewHorizontally() throws {
        // X_ref = X + t with t = (tx, 0, 0): a wall point at depth Z seen at column u in the target
        // appears at u + f·tx/Z in the reference. With Z = 10 and tx = 4·Z/f the shift is 4 pixels
        // to the right (the camera itself moved left, by −tx).
        let data = try VisualOdometry(count: 1, configuration: Self.small)
        let depth: Float = 10
        let f = data.configuration.focalLength
        let scene = Self.wall(depth: depth)
        let target = data.render(scene, from: .init()).scalars
        let moved = data.render(scene, from: .init(translation: SIMD3(4 * depth / f, 0, 0))).scalars
        var largestError: Float = 0
        var largestChange: Float = 0
        for c in 0..<3 {
            for v in 0..<32 {
                for u in 0..<100 {
                    let here = (c * 32 + v) * 104 + u
                    largestError = max(largestError, abs(moved[here + 4] - target[here]))
                    largestChange = max(largestChange, abs(moved[here] - target[here]))
                }
            }
        }
        #expect(largestError < 1e-3)
        #expect(largestChange > 0.1)
    }

    @Test func reprojectionThroughThePoseFollowsSfMLearnersConvention() throws {
        // For the wall z = Z, target pixel (u, v) sees X = ((u+½−W/2)Z/f, (v+½−H/2)Z/f, Z); the
        // reference must show the same colour at the projection of R·X + t. The inverse transform
        // (Rᵀ(X − t)) must match much worse.
        let data = try VisualOdometry(count: 1, configuration: Self.small)
        let (height, width, f) = (32, 104, data.configuration.focalLength)
        let depth: Float = 8
        let scene = Self.wall(depth: depth)
        let pose = VisualOdometry.Pose(translation: SIMD3(0.15, -0.05, -0.3), rotation: SIMD3(0.01, 0.03, 0.02))
        let target = data.render(scene, from: .init())
        var reference = Raster(channels: 3, height: height, width: width)
        reference.pixels = data.render(scene, from: pose).scalars
        let rows = pose.rotationMatrix
        func inverse(_ point: SIMD3<Float>) -> SIMD3<Float> {
            let shifted = point - pose.translation
            return rows[0] * shifted.x + rows[1] * shifted.y + rows[2] * shifted.z
        }
        var errors: [Float] = [0, 0]
        var compared = 0
        for v in stride(from: 6, to: height - 6, by: 2) {
            for u in stride(from: 12, to: width - 12, by: 3) {
                let point = SIMD3((Float(u) + 0.5 - Float(width) / 2) * depth / f,
                                  (Float(v) + 0.5 - Float(height) / 2) * depth / f, depth)
                for (k, moved) in [pose.transform(point), inverse(point)].enumerated() {
                    let x = f * moved.x / moved.z + Float(width) / 2
                    let y = f * moved.y / moved.z + Float(height) / 2
                    for c in 0..<3 {
                        errors[k] += abs(reference.sampleWrapping(channel: c, x: x, y: y) - target[c, v, u])
                    }
                }
                compared += 3
            }
        }
        let (forward, backward) = (errors[0] / Float(compared), errors[1] / Float(compared))
        #expect(forward < 0.02, "mean error \(forward)")
        #expect(backward > 4 * forward, "inverse convention error \(backward) vs \(forward)")
    }

    @Test func rotationMatrixIsXTimesYTimesZ() {
        // R_x(90°) = [[1,0,0],[0,0,−1],[0,1,0]], R_y(90°) = [[0,0,1],[0,1,0],[−1,0,0]];
        // R_x·R_y = [[0,0,1],[1,0,0],[0,1,0]] (R_y·R_x would be [[0,1,0],[0,0,−1],[−1,0,0]]).
        let rows = VisualOdometry.Pose(rotation: SIMD3(.pi / 2, .pi / 2, 0)).rotationMatrix
        let expected: [SIMD3<Float>] = [SIMD3(0, 0, 1), SIMD3(1, 0, 0), SIMD3(0, 1, 0)]
        for (row, want) in zip(rows, expected) {
            #expect(((row - want) * (row - want)).sum() < 1e-10, "\(row) vs \(want)")
        }
        // R_z(90°) turns x into y; then t is added.
        let moved = VisualOdometry.Pose(translation: SIMD3(1, 2, 3), rotation: SIMD3(0, 0, .pi / 2)).transform(SIMD3(1, 0, 0))
        #expect(((moved - SIMD3(1, 3, 3)) * (moved - SIMD3(1, 3, 3))).sum() < 1e-10)
        #expect(VisualOdometry.Pose([1, 2, 3, 4, 5, 6]).vector == [1, 2, 3, 4, 5, 6])
    }

    @Test func referencesMoveLikeAForwardDrivingCamera() throws {
        // Default ranges: m ∈ [±0.05, ±0.05, [−0.4, 0], ±0.005, ±0.02, ±0.005]; next = m + ε₁,
        // previous = −m + ε₀ with |ε_k| ≤ 0.1 × (width of range k).
        let data = try VisualOdometry(count: 50, seed: 4, configuration: Self.small)
        let largest: [Float] = [0.05, 0.05, 0.4, 0.005, 0.02, 0.005]
        let jitter: [Float] = [0.01, 0.01, 0.04, 0.001, 0.004, 0.001]
        for index in 0..<data.count {
            let poses = data.poses(index)
            let (previous, next) = (poses[0].vector, poses[1].vector)
            #expect(next[2] <= jitter[2] && previous[2] >= -jitter[2])
            for k in 0..<6 {
                #expect(abs(next[k] + previous[k]) <= 2 * jitter[k] + 1e-6, "sample \(index) component \(k)")
                #expect(abs(next[k]) <= largest[k] + jitter[k] + 1e-6, "sample \(index) component \(k)")
            }
        }
    }

    @Test func trainAndTestSplitsShareNoSnippet() throws {
        let train = try VisualOdometry(split: .train, count: 50, seed: 0, configuration: Self.small)
        let test = try VisualOdometry(split: .test, count: 50, seed: 0, configuration: Self.small)
        let trainPoses = Set((0..<50).map { train.poses($0)[1].vector })
        #expect(trainPoses.count == 50)
        for index in 0..<50 {
            #expect(!trainPoses.contains(test.poses(index)[1].vector))
        }
        #expect(train.scene(0) != test.scene(0))
    }

    @Test func invalidConfigurationsAreRejected() {
        expectError(.invalidRequest, mentioning: "image size and focal length must be positive") {
            try VisualOdometry(count: 1, configuration: .init(height: 0))
        }
        expectError(.invalidRequest, mentioning: "image size and focal length must be positive") {
            try VisualOdometry(count: 1, configuration: .init(focalLength: -1))
        }
        expectError(.invalidRequest, mentioning: "motion ranges and jitter must not be negative") {
            try VisualOdometry(count: 1, configuration: .init(maxYaw: -0.1))
        }
    }
}
