import Foundation
import Testing
import STCore
import STModels
import TestSupport
@testable import STData

@Suite struct SkeletonActionsTests {
    typealias Rotation = SkeletonPose.Rotation

    /// Element `(c, t, v, m)` of a `3 × T × 25 × 2` input.
    private func coordinate(_ scalars: [Float], frames: Int, _ c: Int, _ t: Int, _ v: Int, _ m: Int) -> Float {
        scalars[((c * frames + t) * SkeletonActions.joints + v) * SkeletonActions.persons + m]
    }

    /// Position of joint `v` of person `m` at frame `t` of a `3 × T × 25 × 2` input.
    private func position(_ scalars: [Float], frames: Int, _ t: Int, _ v: Int, _ m: Int) -> SIMD3<Float> {
        SIMD3((0..<3).map { coordinate(scalars, frames: frames, $0, t, v, m) })
    }

    private func length(_ vector: SIMD3<Float>) -> Float { (vector * vector).sum().squareRoot() }

    /// Population standard deviation.
    private func standardDeviation(_ values: [Float]) -> Float {
        let mean = values.reduce(0, +) / Float(values.count)
        return (values.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Float(values.count)).squareRoot()
    }

    /// How much joint `v` of person 0 moves over the active frames: `√(Σ_c var_t x[c, t, v, 0])`.
    private func motion(_ scalars: [Float], frames: Int, activeFrames: Int, joint v: Int) -> Float {
        let spreads = (0..<3).map { c in
            standardDeviation((0..<activeFrames).map { coordinate(scalars, frames: frames, c, $0, v, 0) })
        }
        return (spreads.map { $0 * $0 }.reduce(0, +)).squareRoot()
    }

    // MARK: - Body model

    @Test func rotationsAboutTheBodyAxesTurnHangingLimbsAsDocumented() {
        let down: SIMD3<Float> = [0, -1, 0]
        // Right arm lifted sideways by 90°: (0, −1, 0) ↦ (sin 90°, −cos 90°, 0) = (1, 0, 0).
        let sideways = Rotation.aboutZ(.pi / 2) * down
        #expect(abs(sideways.x - 1) < 1e-6 && abs(sideways.y) < 1e-6 && abs(sideways.z) < 1e-6)
        // A leg swung forward by 90° points to −z (the person faces −z).
        let forwards = Rotation.aboutX(.pi / 2) * down
        #expect(abs(forwards.z + 1) < 1e-6 && abs(forwards.y) < 1e-6)
        // Composition applies the right factor first: Rz(90°)·Rx(90°) sends −y to −z, then −z stays −z.
        let composed = (Rotation.aboutZ(.pi / 2) * Rotation.aboutX(.pi / 2)) * down
        #expect(abs(composed.z + 1) < 1e-6)
        // Rodrigues about an oblique axis keeps lengths: |R v| = |v|.
        let oblique = Rotation(axis: [1, 2, 3], angle: 0.7) * SIMD3<Float>(0.3, -0.4, 1.2)
        #expect(abs(length(oblique) - length([0.3, -0.4, 1.2])) < 1e-5)
    }

    @Test func restPoseIsAnUprightAdultWithSymmetricLimbsOnTheNTUTree() {
        let rest = SkeletonPose.restPositions
        #expect(rest.count == SkeletonLayout.ntuRGBD.jointCount)
        let joint = SkeletonPose.joint
        // Head 0.72 m above the base of spine, feet 0.91 m below: 1.63 m from foot to head centre.
        #expect(abs(rest[joint("head")].y - rest[joint("left foot")].y - 1.63) < 1e-5)
        // Mirror symmetry: every left joint is its right twin with x negated.
        for name in ["shoulder", "elbow", "wrist", "hand", "hip", "knee", "ankle", "foot", "thumb"] {
            let left = rest[joint("left \(name)")], right = rest[joint("right \(name)")]
            #expect(left == SIMD3(-right.x, right.y, right.z))
        }
        // The tree has every joint but the root hang from a parent joined to it by a layout bone.
        let bones = Set(SkeletonLayout.ntuRGBD.edges.map { [min($0.0, $0.1), max($0.0, $0.1)] })
        for v in 0..<rest.count where v != SkeletonPose.root {
            let parent = SkeletonPose.parents[v]
            #expect(parent.map { bones.contains([min($0, v), max($0, v)]) } == true)
        }
        #expect(SkeletonPose.parents[SkeletonPose.root] == nil)
        // The upper arm is 0.28 m: |(0.19, 0.17) − (0.17, 0.45)| = √(0.02² + 0.28²) ≈ 0.2807.
        #expect(abs(length(rest[joint("right elbow")] - rest[joint("right shoulder")]) - 0.2807) < 1e-3)
    }

    @Test func forwardKinematicsRotatesOnlyTheSubtreeAndScalesBones() {
        var pose = SkeletonPose(rootPosition: [1, 2, 3], scale: 2)
        let elbow = SkeletonPose.joint("right elbow")
        pose.boneRotations[elbow] = .aboutZ(.pi / 2)
        let positions = pose.jointPositions()
        let rest = SkeletonPose.restPositions
        let moved = Set(SkeletonPose.subtree(of: elbow))
        #expect(moved == Set(["right elbow", "right wrist", "right hand", "tip of right hand", "right thumb"]
            .map(SkeletonPose.joint)))
        for v in 0..<rest.count where !moved.contains(v) {
            #expect(length(positions[v] - (SIMD3(1, 2, 3) + 2 * rest[v])) < 1e-5)
        }
        // The upper arm (rest (0.02, −0.28, 0)) turned by 90° about z is (0.28, 0.02, 0), doubled.
        let shoulder = SkeletonPose.joint("right shoulder")
        let arm = positions[elbow] - positions[shoulder]
        #expect(length(arm - SIMD3(0.56, 0.04, 0)) < 1e-5)
    }

    // MARK: - Dataset

    @Test func samplesAreAPureFunctionOfSeedSplitAndIndex() throws {
        let data = try SkeletonActions(split: .train, count: 20, seed: 7)
        let again = try SkeletonActions(split: .train, count: 500, seed: 7)
        let otherSeed = try SkeletonActions(split: .train, count: 20, seed: 8)
        for index in [0, 5, 13] {
            let sample = data.sample(index)
            let repeated = again.sample(index)
            #expect(sample.input.scalars == repeated.input.scalars)
            #expect(sample.groundTruth?.scalars == repeated.groundTruth?.scalars)
            #expect(sample.label == repeated.label)
            #expect(sample.input.scalars != otherSeed.sample(index).input.scalars)
        }
    }

    @Test func shapesAreThreeCoordinatesByFramesByTwentyFiveJointsByTwoPersons() throws {
        let data = try SkeletonActions(count: 9, configuration: .init(frames: 40))
        let sample = data.sample(4)
        #expect(sample.input.shape == [3, 40, 25, 2])
        #expect(sample.groundTruth?.shape == [40, 25, 2])
        #expect(data.classNames.count == 9)
        #expect(data.classNames[4] == "kick right leg")
        #expect(sample.label == 4)
        // Labels cycle with the index.
        #expect((0..<18).map { data.performance($0 % 9).label } == (0..<18).map { $0 % 9 })
    }

    @Test func coordinatesAreInKinectCameraSpaceWithYUp() throws {
        let data = try SkeletonActions(count: 27, seed: 3)
        let head = SkeletonPose.joint("head"), pelvis = SkeletonPose.joint("base of spine")
        let ankles = [SkeletonPose.joint("left ankle"), SkeletonPose.joint("right ankle")]
        var depths: [Float] = []
        for index in 0..<data.count {
            let performance = data.performance(index)
            for person in performance.people {
                for frame in person {
                    // Upright bodies: head above the base of the spine, which stays above both
                    // ankles (0.82 m at rest; a lifted knee raises an ankle by under 0.5 m).
                    #expect(frame[head].y > frame[pelvis].y)
                    #expect(ankles.allSatisfy { frame[pelvis].y - frame[$0].y > 0.3 })
                    depths.append(frame[pelvis].z)
                }
            }
        }
        // Actors stand 2.6–3.4 m from the sensor, bystanders within 0.3 m of that depth.
        #expect(depths.allSatisfy { (2.3...3.7).contains($0) })
    }

    @Test func bonesKeepTheirLengthOverTimeUpToTheNoise() throws {
        let clean = try SkeletonActions(count: 18, seed: 1, configuration: .init(secondPersonProbability: 1, noise: 0))
        let noisy = try SkeletonActions(count: 18, seed: 1)
        let frames = clean.configuration.frames
        for index in 0..<clean.count {
            let performance = clean.performance(index)
            let input = clean.sample(index).input.scalars
            for m in 0..<performance.people.count {
                for (a, b) in SkeletonLayout.ntuRGBD.edges {
                    let lengths = (0..<performance.activeFrames).map {
                        length(position(input, frames: frames, $0, a, m) - position(input, frames: frames, $0, b, m))
                    }
                    #expect(standardDeviation(lengths) < 1e-5)
                }
            }
        }
        // With noise σ per coordinate on both ends, a bone's length varies with standard deviation
        // about √2·σ (the difference of the ends projected on the bone): pooled over the actor's
        // forearm, shin and neck in 18 samples, the root-mean-square deviation lies in [σ, 2σ].
        let sigma = noisy.configuration.noise
        let bones = [("right elbow", "right wrist"), ("left knee", "left ankle"), ("neck", "head")]
        var squaredDeviations: [Float] = []
        for index in 0..<noisy.count {
            let performance = noisy.performance(index)
            let input = noisy.sample(index).input.scalars
            for (first, second) in bones {
                let (a, b) = (SkeletonPose.joint(first), SkeletonPose.joint(second))
                let lengths = (0..<performance.activeFrames).map {
                    length(position(input, frames: frames, $0, a, 0) - position(input, frames: frames, $0, b, 0))
                }
                let deviation = standardDeviation(lengths)
                squaredDeviations.append(deviation * deviation)
            }
        }
        let pooled = (squaredDeviations.reduce(0, +) / Float(squaredDeviations.count)).squareRoot()
        #expect(pooled > sigma && pooled < 2 * sigma)
    }

    @Test func definingJointsMoveAtLeastFiveTimesMoreThanTheOtherJoints() throws {
        let data = try SkeletonActions(count: 9 * 20, seed: 2)
        let frames = data.configuration.frames
        var definingMotion = [Float](repeating: 0, count: 9), otherMotion = [Float](repeating: 0, count: 9)
        for index in 0..<data.count {
            let performance = data.performance(index)
            let input = data.sample(index).input.scalars
            let defining = Set(data.definingJoints(of: performance.label))
            let motions = (0..<SkeletonActions.joints).map {
                motion(input, frames: frames, activeFrames: performance.activeFrames, joint: $0)
            }
            definingMotion[performance.label] += (0..<motions.count).filter { defining.contains($0) }
                .map { motions[$0] }.reduce(0, +) / Float(defining.count)
            otherMotion[performance.label] += (0..<motions.count).filter { !defining.contains($0) }
                .map { motions[$0] }.reduce(0, +) / Float(motions.count - defining.count)
        }
        for label in 0..<9 {
            #expect(definingMotion[label] >= 5 * otherMotion[label], "\(data.classNames[label])")
        }
    }

    @Test func definingJointsAreExactlyTheJointsTheActionsBonesCarry() {
        for action in SkeletonActions.Action.allCases {
            let carried = Set(action.drivenBones.flatMap(SkeletonPose.subtree(of:)))
            #expect(Set(action.definingJoints) == carried, "\(action.name)")
        }
        // No class is decided by the whole body: the largest set, bending forward, holds the 16
        // joints above the base of the spine (the trunk, head and both arms), never the legs.
        #expect(SkeletonActions.Action.allCases.map(\.definingJoints.count).max() == 16)
        #expect(SkeletonActions.Action.waveRightHand.definingJoints == [9, 10, 11, 23, 24])
        #expect(SkeletonActions.Action.kickLeftLeg.definingJoints == [13, 14, 15])
        #expect(SkeletonActions.Action.nodHead.definingJoints == [3])
    }

    @Test func groundTruthMarksTheActorsDefiningJointsInActiveFramesOnly() throws {
        let data = try SkeletonActions(count: 27, seed: 4)
        let frames = data.configuration.frames
        for index in 0..<data.count {
            let performance = data.performance(index)
            let mask = try #require(data.sample(index).groundTruth).scalars
            let defining = Set(data.definingJoints(of: performance.label))
            var expected = [Float](repeating: 0, count: frames * 25 * 2)
            for t in 0..<performance.activeFrames {
                for v in defining { expected[(t * 25 + v) * 2] = 1 }
            }
            #expect(mask == expected)
        }
    }

    @Test func absentPersonsAndPaddedFramesAreExactlyZero() throws {
        let alone = try SkeletonActions(count: 18, seed: 5, configuration: .init(secondPersonProbability: 0))
        let together = try SkeletonActions(count: 18, seed: 5, configuration: .init(secondPersonProbability: 1))
        let frames = alone.configuration.frames
        for index in 0..<alone.count {
            let input = alone.sample(index).input.scalars
            let active = alone.performance(index).activeFrames
            #expect(active >= Int(0.6 * Float(frames)) && active <= frames)
            for t in 0..<frames {
                for v in 0..<25 {
                    #expect(position(input, frames: frames, t, v, 1) == .zero)
                    #expect((position(input, frames: frames, t, v, 0) == .zero) == (t >= active))
                }
            }
            let pair = together.sample(index).input.scalars
            let pairActive = together.performance(index).activeFrames
            for t in 0..<frames {
                #expect((position(pair, frames: frames, t, 0, 1) == .zero) == (t >= pairActive))
            }
        }
        // By default about half the samples have a bystander.
        let mixed = try SkeletonActions(count: 100, seed: 5)
        let withBystander = (0..<mixed.count).filter { mixed.performance($0).people.count == 2 }.count
        #expect((30...70).contains(withBystander))
    }

    @Test func clappingHandsMeetInFrontOfTheChest() throws {
        let data = try SkeletonActions(count: 9 * 6, seed: 6, configuration: .init(noise: 0, idleAmplitude: 0))
        let left = SkeletonPose.joint("left hand"), right = SkeletonPose.joint("right hand")
        let clap = try #require(SkeletonActions.Action.allCases.firstIndex(of: .clap))
        for index in stride(from: clap, to: data.count, by: 9) {
            let performance = data.performance(index)
            let gaps = performance.people[0].map { length($0[left] - $0[right]) }
            // At rest the hands are 0.40 m apart times the body scale (0.9–1.1); clapping brings
            // them to 5 cm apart (2.5 cm either side of the midline) times the scale.
            #expect((0.36...0.44).contains(gaps[0]))
            #expect(try #require(gaps.min()) < 0.07)
        }
    }

    @Test func splitsDrawDisjointSamples() throws {
        let splits = try Split.allCases.map { try SkeletonActions(split: $0, count: 30, seed: 9) }
        let inputs = splits.map { data in (0..<data.count).map { data.sample($0).input.scalars } }
        #expect(Set(inputs.flatMap { $0 }).count == 90)
    }

    @Test func invalidConfigurationsAreRejected() {
        expectError(.invalidRequest, mentioning: "at least 8 frames, got 4") {
            try SkeletonActions(count: 1, configuration: .init(frames: 4))
        }
        expectError(.invalidRequest, mentioning: "actions must be distinct and non-empty") {
            try SkeletonActions(count: 1, configuration: .init(actions: []))
        }
        expectError(.invalidRequest, mentioning: "actions must be distinct and non-empty") {
            try SkeletonActions(count: 1, configuration: .init(actions: [.clap, .clap]))
        }
        expectError(.invalidRequest, mentioning: "activeFraction") {
            try SkeletonActions(count: 1, configuration: .init(activeFraction: 0...1))
        }
        expectError(.invalidRequest, mentioning: "secondPersonProbability") {
            try SkeletonActions(count: 1, configuration: .init(secondPersonProbability: 2))
        }
        expectError(.invalidRequest, mentioning: "count -1") { try SkeletonActions(count: -1) }
    }
}
