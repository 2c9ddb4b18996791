import Foundation
import STCore
import STModels

/// Synthetic skeleton sequences on the NTU RGB+D 25-joint layout whose class is decided by which
/// limbs move and how, with the deciding joints as ground truth.
///
/// A sample's `input` is `C × T × V × M = 3 × T × 25 × 2` (default T = 32): x, y, z in metres in
/// Kinect camera space (x to the sensor's left, y up, z away from the sensor, bodies about 3 m
/// away), as NTU RGB+D stores them and st-gcn reads them.
///
/// - **Bodies**: `SkeletonPose` — a rigid rest pose scaled by a per-person factor in
///   [0.9, 1.1], turned about the vertical by a yaw in [−30°, 30°] (0 = facing the sensor), its
///   base of spine placed at x ∈ [−0.5, 0.5], y ∈ [−0.3, 0.1], z ∈ [2.6, 3.4].
/// - **Persons**: person 0 performs the action. With probability `secondPersonProbability` a
///   bystander stands 0.8–1.2 m to one side (±0.3 m in depth) as person 1 and only idles;
///   otherwise person 1 is all zeros, as NTU pads single-person samples.
/// - **Length**: the persons fill the first `L` frames, `L = round(f·T)` with `f` uniform in
///   `activeFraction` (at least 2 frames); frames `L..<T` are zeros, as st-gcn pads NTU
///   sequences. Motions are written in the phase `s = t/(L − 1) ∈ [0, 1]`.
/// - **Idle motion**: every bone the action does not drive (all bones for the bystander) turns
///   about its own random axis by `a·sin(2πt/P + φ)` with `a` uniform in
///   [0.3, 1]·`idleAmplitude`, period `P` ∈ [12, 40] frames — sway of the trunk, drifting arms
///   and legs, a bobbing head.
/// - **Noise**: independent Gaussian noise of standard deviation `noise` metres on every
///   coordinate of every present joint in every active frame; padding stays exactly zero.
///
/// Ground truth: `T × V × M`, 1 at the action's `definingJoints` of person 0 in active frames
/// (`t < L`), 0 elsewhere (the bystander, padding, other joints). Labels cycle with the index
/// (`label = index mod classes`), so every split is balanced.
public struct SkeletonActions: LabeledDataset {
    /// The classes. Each drives a few bones (`drivenBones`); the joints those bones carry are the
    /// action's `definingJoints`. Angles are drawn per sample from the ranges given; `e(s)` is
    /// the envelope (smooth rise over the first 15–25 % of the phase, hold, smooth fall over the
    /// last 15–25 %), `b(s) = sin²(πks)` a rise-and-return repeated `k ∈ {1, 2}` times.
    public enum Action: String, Sendable, CaseIterable {
        /// Right upper arm lifted sideways by `e·(75°–100°)`, forearm raised a further
        /// `e·(65°–95°)` and swinging ±(20°–35°) in the frontal plane, 2–4 times.
        case waveRightHand
        /// The mirror image of `waveRightHand`.
        case waveLeftHand
        /// Both straight arms lifted sideways overhead, `b·(140°–170°)`.
        case raiseBothArms
        /// Both arms forward (shoulders `e·(55°–80°)`, elbows `e·(30°–60°)`), turned in about the
        /// vertical until the hands meet in front of the chest, then opened by 20°–35° and closed
        /// again, 3–5 claps.
        case clap
        /// Right thigh swung forward `b·(50°–80°)`, knee bent `b·(5°–20°)`.
        case kickRightLeg
        /// The mirror image of `kickRightLeg`.
        case kickLeftLeg
        /// Knees lifted alternately, thigh `e·(40°–65°)·max(0, ±sin(2πcs + φ))` with 1.5–2.5
        /// steps per leg, the shin hanging back by the same angle plus 0°–20°.
        case stepInPlace
        /// Trunk bent forward at the base of the spine by `b·(35°–70°)`, the arms kept hanging
        /// vertically.
        case bendForward
        /// Head tipped forward by `(25°–40°)·(1 − cos 2πcs)/2`, 2–4 nods.
        case nodHead

        /// The class name shown to users ("wave right hand", …).
        public var name: String {
            switch self {
            case .waveRightHand: "wave right hand"
            case .waveLeftHand: "wave left hand"
            case .raiseBothArms: "raise both arms"
            case .clap: "clap"
            case .kickRightLeg: "kick right leg"
            case .kickLeftLeg: "kick left leg"
            case .stepInPlace: "step in place"
            case .bendForward: "bend forward"
            case .nodHead: "nod head"
            }
        }

        /// Names (`SkeletonLayout.ntuRGBD.jointNames`) of the joints whose motion defines the
        /// action: exactly the joints that move because of it.
        public var definingJointNames: [String] {
            let leftHand = ["left elbow", "left wrist", "left hand", "tip of left hand", "left thumb"]
            let rightHand = ["right elbow", "right wrist", "right hand", "tip of right hand", "right thumb"]
            let leftLeg = ["left knee", "left ankle", "left foot"]
            let rightLeg = ["right knee", "right ankle", "right foot"]
            switch self {
            case .waveRightHand: return rightHand
            case .waveLeftHand: return leftHand
            case .raiseBothArms, .clap: return leftHand + rightHand
            case .kickRightLeg: return rightLeg
            case .kickLeftLeg: return leftLeg
            case .stepInPlace: return leftLeg + rightLeg
            case .bendForward:
                return ["middle of spine", "spine", "neck", "head", "left shoulder", "right shoulder"] + leftHand + rightHand
            case .nodHead: return ["head"]
            }
        }

        /// Indices (into the `V` axis) of `definingJointNames`, ascending.
        public var definingJoints: [Int] { definingJointNames.map(SkeletonPose.joint).sorted() }

        /// The joints whose bones (from their parents) the action rotates; idle motion leaves them
        /// alone.
        var drivenBones: [Int] {
            switch self {
            case .waveRightHand: ["right elbow", "right wrist"].map(SkeletonPose.joint)
            case .waveLeftHand: ["left elbow", "left wrist"].map(SkeletonPose.joint)
            case .raiseBothArms: ["left elbow", "right elbow"].map(SkeletonPose.joint)
            case .clap: ["left elbow", "left wrist", "right elbow", "right wrist"].map(SkeletonPose.joint)
            case .kickRightLeg: ["right knee", "right ankle"].map(SkeletonPose.joint)
            case .kickLeftLeg: ["left knee", "left ankle"].map(SkeletonPose.joint)
            case .stepInPlace: ["left knee", "left ankle", "right knee", "right ankle"].map(SkeletonPose.joint)
            case .bendForward: ["middle of spine", "left elbow", "right elbow"].map(SkeletonPose.joint)
            case .nodHead: ["head"].map(SkeletonPose.joint)
            }
        }
    }

    /// Sequence size and content.
    public struct Configuration: Sendable, Equatable {
        /// Frames `T` (at least 8).
        public var frames: Int
        /// The classes, in label order (distinct, non-empty).
        public var actions: [Action]
        /// Range of the fraction of the `T` frames the persons fill (within (0, 1]).
        public var activeFraction: ClosedRange<Float>
        /// Probability that a bystander (person 1) is present, in [0, 1].
        public var secondPersonProbability: Float
        /// Standard deviation of the per-coordinate Gaussian noise, metres. The default, 2.5 mm,
        /// is below Kinect's own jitter (about a centimetre) so that the subtlest class, a nod that
        /// moves one joint by a few centimetres, stays well above the noise and idle motion.
        public var noise: Float
        /// Largest amplitude of a bone's idle oscillation, radians (default 0.8°).
        public var idleAmplitude: Float

        public init(frames: Int = 32, actions: [Action] = Action.allCases, activeFraction: ClosedRange<Float> = 0.6...1,
                    secondPersonProbability: Float = 0.5, noise: Float = 0.0025, idleAmplitude: Float = 0.8 * .pi / 180) {
            self.frames = frames
            self.actions = actions
            self.activeFraction = activeFraction
            self.secondPersonProbability = secondPersonProbability
            self.noise = noise
            self.idleAmplitude = idleAmplitude
        }
    }

    /// Everything needed to render one sample: the clean joint positions of each present person.
    public struct Performance: Sendable, Equatable {
        /// The action person 0 performs, and its label.
        public var action: Action
        public var label: Int
        /// Frames holding the persons, `L`; frames `L..<T` are padding.
        public var activeFrames: Int
        /// Noise-free positions `people[m][t][v]` in camera space, metres, for the `L` active
        /// frames; one entry (the actor) or two (actor and bystander).
        public var people: [[[SIMD3<Float>]]]
        /// Seed of the per-coordinate noise.
        public var noiseSeed: UInt64
    }

    /// Coordinates per joint C (x, y, z).
    public static let channels = 3
    /// Joints per person V.
    public static let joints = SkeletonPose.layout.jointCount
    /// Person slots M (NTU RGB+D's two).
    public static let persons = 2

    public let split: Split
    public let count: Int
    public let seed: UInt64
    public let configuration: Configuration

    /// `count` sequences of `split`, reproducible from `seed`.
    /// - Throws: `STError.invalidRequest` if the configuration or `count` is out of range.
    public init(split: Split = .train, count: Int, seed: UInt64 = 0, configuration: Configuration = Configuration()) throws {
        guard count >= 0, count <= Split.capacity else {
            throw STError.invalidRequest("SkeletonActions: count \(count) must be in 0...2^56")
        }
        guard configuration.frames >= 8 else {
            throw STError.invalidRequest("SkeletonActions: sequences need at least 8 frames, got \(configuration.frames)")
        }
        guard !configuration.actions.isEmpty, Set(configuration.actions).count == configuration.actions.count else {
            throw STError.invalidRequest("SkeletonActions: actions must be distinct and non-empty")
        }
        guard configuration.activeFraction.lowerBound > 0, configuration.activeFraction.upperBound <= 1 else {
            throw STError.invalidRequest("SkeletonActions: activeFraction must lie within (0, 1]")
        }
        guard (0...1).contains(configuration.secondPersonProbability) else {
            throw STError.invalidRequest("SkeletonActions: secondPersonProbability must lie in [0, 1]")
        }
        guard configuration.noise >= 0, configuration.idleAmplitude >= 0 else {
            throw STError.invalidRequest("SkeletonActions: noise and idleAmplitude must not be negative")
        }
        self.split = split
        self.count = count
        self.seed = seed
        self.configuration = configuration
    }

    public var classNames: [String] { configuration.actions.map(\.name) }

    /// The joints (indices into `V`, ascending) that define class `label`: its action's
    /// `definingJoints`. `label` must be in `0..<classNames.count` (a precondition).
    public func definingJoints(of label: Int) -> [Int] {
        precondition(configuration.actions.indices.contains(label), "SkeletonActions has no class \(label)")
        return configuration.actions[label].definingJoints
    }

    /// Sample `index`: the noisy sequence (`3 × T × 25 × 2`), its label, and the defining joints
    /// of the actor as ground truth (`T × 25 × 2`).
    public func sample(_ index: Int) -> Sample {
        let performance = performance(index)
        return Sample(input: render(performance), label: performance.label, groundTruth: groundTruth(performance))
    }

    /// The performance of sample `index` (`0 ≤ index < count`), a pure function of (seed, split,
    /// index).
    public func performance(_ index: Int) -> Performance {
        precondition(index >= 0 && index < count, "SkeletonActions index \(index) outside 0..<\(count)")
        let sampleSeed = split.sampleSeed(datasetSeed: seed, index: index)
        var generator = SeededGenerator(seed: sampleSeed)
        let label = index % configuration.actions.count
        let action = configuration.actions[label]
        let fraction = generator.uniform(configuration.activeFraction.lowerBound, configuration.activeFraction.upperBound)
        let activeFrames = min(configuration.frames, max(2, Int((fraction * Float(configuration.frames)).rounded())))

        let actor = Placement(drawing: &generator)
        let actorIdle = IdleMotion(drawing: &generator, amplitude: configuration.idleAmplitude, still: Set(action.drivenBones))
        let motion = ActionMotion(action, drawing: &generator)
        var people = [perform(motion, idle: actorIdle, placement: actor, frames: activeFrames)]
        if generator.nextUnitFloat() < configuration.secondPersonProbability {
            let bystander = Placement(drawing: &generator, beside: actor)
            let bystanderIdle = IdleMotion(drawing: &generator, amplitude: configuration.idleAmplitude, still: [])
            people.append(perform(nil, idle: bystanderIdle, placement: bystander, frames: activeFrames))
        }
        return Performance(action: action, label: label, activeFrames: activeFrames, people: people,
                           noiseSeed: mixSeed(sampleSeed, 1))
    }

    /// The input `3 × T × 25 × 2` of `performance`: `x[c, t, v, m] = people[m][t][v]_c + noise·z`
    /// (z standard normal) for present persons and active frames, 0 elsewhere.
    public func render(_ performance: Performance) -> Tensor {
        let (frames, joints, persons) = (configuration.frames, Self.joints, Self.persons)
        var scalars = [Float](repeating: 0, count: Self.channels * frames * joints * persons)
        var noise = SeededGenerator(seed: performance.noiseSeed)
        for (m, person) in performance.people.enumerated() {
            for (t, positions) in person.enumerated() {
                for (v, position) in positions.enumerated() {
                    for c in 0..<Self.channels {
                        let jitter = configuration.noise > 0 ? configuration.noise * noise.nextNormal() : 0
                        scalars[((c * frames + t) * joints + v) * persons + m] = position[c] + jitter
                    }
                }
            }
        }
        return Tensor(shape: [Self.channels, frames, joints, persons], scalars: scalars)
    }

    /// The ground truth `T × 25 × 2` of `performance`: 1 at `(t, v, 0)` for `t < activeFrames`
    /// and `v` a defining joint of its action, 0 elsewhere.
    public func groundTruth(_ performance: Performance) -> Tensor {
        let (joints, persons) = (Self.joints, Self.persons)
        var mask = [Float](repeating: 0, count: configuration.frames * joints * persons)
        let defining = performance.action.definingJoints
        for t in 0..<performance.activeFrames {
            for v in defining {
                mask[(t * joints + v) * persons] = 1
            }
        }
        return Tensor(shape: [configuration.frames, joints, persons], scalars: mask)
    }

    /// Clean positions `[t][v]` of one person over `frames` frames: idle rotations on every bone,
    /// replaced by `motion`'s rotations on the bones it drives.
    private func perform(_ motion: ActionMotion?, idle: IdleMotion, placement: Placement, frames: Int) -> [[SIMD3<Float>]] {
        (0..<frames).map { t in
            var pose = SkeletonPose(rootPosition: placement.rootPosition, scale: placement.scale)
            for joint in 0..<Self.joints where joint != SkeletonPose.root {
                pose.boneRotations[joint] = idle.rotation(ofBoneEndingAt: joint, frame: t)
            }
            if let motion {
                let phase = Float(t) / Float(frames - 1)
                for (joint, rotation) in motion.rotations(phase: phase) {
                    pose.boneRotations[joint] = rotation
                }
            }
            pose.boneRotations[SkeletonPose.root] = .aboutY(placement.yaw)
            return pose.jointPositions()
        }
    }
}

/// Where a person stands, which way they face, and how tall they are.
private struct Placement {
    var rootPosition: SIMD3<Float>
    var yaw: Float
    var scale: Float

    /// The actor: base of spine at x ∈ [−0.5, 0.5], y ∈ [−0.3, 0.1], z ∈ [2.6, 3.4] m.
    init(drawing generator: inout SeededGenerator) {
        scale = generator.uniform(0.9, 1.1)
        yaw = generator.uniform(-30, 30) * degree
        rootPosition = [generator.uniform(-0.5, 0.5), generator.uniform(-0.3, 0.1), generator.uniform(2.6, 3.4)]
    }

    /// A bystander 0.8–1.2 m to a random side of `other`, within ±0.05 m in height and ±0.3 m in depth.
    init(drawing generator: inout SeededGenerator, beside other: Placement) {
        scale = generator.uniform(0.9, 1.1)
        yaw = generator.uniform(-30, 30) * degree
        let side: Float = generator.integer(in: 0...1) == 0 ? -1 : 1
        rootPosition = other.rootPosition
            + SIMD3(side * generator.uniform(0.8, 1.2), generator.uniform(-0.05, 0.05), generator.uniform(-0.3, 0.3))
    }
}

/// Radians per degree, `π/180`.
private let degree = Float.pi / 180

/// Small oscillations of every bone but the root and the `still` ones:
/// `L_j(t) = rotation about k_j by a_j·sin(2πt/P_j + φ_j)`.
private struct IdleMotion {
    private struct Oscillation {
        var axis: SIMD3<Float>
        var amplitude: Float
        var period: Float
        var phase: Float
    }

    private var oscillations: [Oscillation?]

    init(drawing generator: inout SeededGenerator, amplitude: Float, still: Set<Int>) {
        oscillations = (0..<SkeletonActions.joints).map { joint in
            let axis = SIMD3(generator.nextNormal(), generator.nextNormal(), generator.nextNormal())
            let oscillation = Oscillation(axis: axis, amplitude: amplitude * generator.uniform(0.3, 1),
                                          period: generator.uniform(12, 40), phase: generator.uniform(0, 2 * .pi))
            return joint == SkeletonPose.root || still.contains(joint) ? nil : oscillation
        }
    }

    func rotation(ofBoneEndingAt joint: Int, frame t: Int) -> SkeletonPose.Rotation {
        guard let oscillation = oscillations[joint] else { return .identity }
        let angle = oscillation.amplitude * sin(2 * .pi * Float(t) / oscillation.period + oscillation.phase)
        return SkeletonPose.Rotation(axis: oscillation.axis, angle: angle)
    }
}

/// One sample's drawn parameters of an action and its bone rotations over the phase s ∈ [0, 1]
/// (see `SkeletonActions.Action` for the formulas).
private struct ActionMotion {
    let action: SkeletonActions.Action
    /// Main angle (radians).
    let amplitude: Float
    /// Second angle (radians): forearm lift, elbow bend, knee bend, or extra shin swing.
    let secondary: Float
    /// Oscillation range (radians): wave swing or clap opening.
    let swing: Float
    /// Oscillations over the phase (waves, claps, steps, nods).
    let cycles: Float
    /// Rise-and-return repetitions `k` of `b(s)`.
    let repetitions: Float
    /// Fraction of the phase the envelope takes to rise (and to fall).
    let ramp: Float
    let phase: Float
    /// Clap: the turn-in about the vertical that brings the right hand to the midline.
    let clapTurn: Float

    init(_ action: SkeletonActions.Action, drawing generator: inout SeededGenerator) {
        self.action = action
        let ranges: (amplitude: ClosedRange<Float>, secondary: ClosedRange<Float>, swing: ClosedRange<Float>,
                     cycles: ClosedRange<Float>) = switch action {
        case .waveRightHand, .waveLeftHand: (75...100, 65...95, 20...35, 2...4)
        case .raiseBothArms: (140...170, 0...0, 0...0, 0...0)
        case .clap: (55...80, 30...60, 20...35, 3...5)
        case .kickRightLeg, .kickLeftLeg: (50...80, 5...20, 0...0, 0...0)
        case .stepInPlace: (40...65, 0...20, 0...0, 1.5...2.5)
        case .bendForward: (35...70, 0...0, 0...0, 0...0)
        case .nodHead: (30...50, 0...0, 0...0, 2...4)
        }
        func draw(_ range: ClosedRange<Float>) -> Float { generator.uniform(range.lowerBound, range.upperBound) }
        amplitude = draw(ranges.amplitude) * degree
        secondary = draw(ranges.secondary) * degree
        swing = draw(ranges.swing) * degree
        cycles = draw(ranges.cycles)
        repetitions = Float(generator.integer(in: 1...2))
        ramp = generator.uniform(0.15, 0.25)
        phase = generator.uniform(0, 2 * .pi)
        clapTurn = action == .clap ? Self.handMeetingTurn(shoulderFlexion: amplitude, elbowFlexion: secondary) : 0
    }

    /// The turn γ about the vertical through the right shoulder that puts the right hand 2.5 cm
    /// right of the body's midline, for arms flexed forward by the given angles (rest scale;
    /// the geometry scales with the body). With h the hand relative to the shoulder before the
    /// turn, the hand's x after it is `h_x cos γ + h_z sin γ = R cos(γ − δ)`, `R = |(h_x, h_z)|`,
    /// `δ = atan2(h_z, h_x)`; of the two solutions `γ = δ ± acos(x/R)` the smaller turn is taken.
    static func handMeetingTurn(shoulderFlexion: Float, elbowFlexion: Float) -> Float {
        let shoulder = SkeletonPose.joint("right shoulder")
        let hand = SkeletonPose.joint("right hand")
        var pose = SkeletonPose()
        pose.boneRotations[SkeletonPose.joint("right elbow")] = .aboutX(shoulderFlexion)
        pose.boneRotations[SkeletonPose.joint("right wrist")] = .aboutX(elbowFlexion)
        let positions = pose.jointPositions()
        let h = positions[hand] - positions[shoulder]
        let target = 0.025 - positions[shoulder].x
        let radius = (h.x * h.x + h.z * h.z).squareRoot()
        let delta = atan2(h.z, h.x)
        let spread = acos(min(1, max(-1, target / radius)))
        func wrapped(_ angle: Float) -> Float { atan2(sin(angle), cos(angle)) }
        let candidates = [wrapped(delta + spread), wrapped(delta - spread)]
        return candidates.min { abs($0) < abs($1) } ?? 0
    }

    /// `e(s)`: smoothstep rise over `[0, ramp]`, 1 in between, smoothstep fall over `[1 − ramp, 1]`.
    private func envelope(_ s: Float) -> Float {
        func smoothstep(_ x: Float) -> Float {
            let clamped = min(1, max(0, x))
            return clamped * clamped * (3 - 2 * clamped)
        }
        return smoothstep(s / ramp) * smoothstep((1 - s) / ramp)
    }

    /// `b(s) = sin²(π k s)`.
    private func bump(_ s: Float) -> Float {
        let value = sin(.pi * repetitions * s)
        return value * value
    }

    /// The rotations `(joint, L_joint)` of the driven bones at phase `s`.
    func rotations(phase s: Float) -> [(Int, SkeletonPose.Rotation)] {
        typealias Rotation = SkeletonPose.Rotation
        let joint = SkeletonPose.joint
        switch action {
        case .waveRightHand, .waveLeftHand:
            let side: Float = action == .waveRightHand ? 1 : -1
            let prefix = action == .waveRightHand ? "right" : "left"
            let e = envelope(s)
            let forearm = e * (secondary + swing * sin(2 * .pi * cycles * s + phase))
            return [(joint("\(prefix) elbow"), .aboutZ(side * amplitude * e)),
                    (joint("\(prefix) wrist"), .aboutZ(side * forearm))]
        case .raiseBothArms:
            let lift = amplitude * bump(s)
            return [(joint("right elbow"), .aboutZ(lift)), (joint("left elbow"), .aboutZ(-lift))]
        case .clap:
            let e = envelope(s)
            let opening = swing * (1 - cos(2 * .pi * cycles * s)) / 2
            let turn = e * (clapTurn - opening)
            let upperArm = Rotation.aboutX(amplitude * e)
            let forearm = Rotation.aboutX(secondary * e)
            return [(joint("right elbow"), .aboutY(turn) * upperArm), (joint("left elbow"), .aboutY(-turn) * upperArm),
                    (joint("right wrist"), forearm), (joint("left wrist"), forearm)]
        case .kickRightLeg, .kickLeftLeg:
            let prefix = action == .kickRightLeg ? "right" : "left"
            let b = bump(s)
            return [(joint("\(prefix) knee"), .aboutX(amplitude * b)), (joint("\(prefix) ankle"), .aboutX(-secondary * b))]
        case .stepInPlace:
            let e = envelope(s)
            let wave = sin(2 * .pi * cycles * s + phase)
            let left = e * max(0, wave)
            let right = e * max(0, -wave)
            return [(joint("left knee"), .aboutX(amplitude * left)), (joint("left ankle"), .aboutX(-(amplitude + secondary) * left)),
                    (joint("right knee"), .aboutX(amplitude * right)), (joint("right ankle"), .aboutX(-(amplitude + secondary) * right))]
        case .bendForward:
            let bend = amplitude * bump(s)
            return [(joint("middle of spine"), .aboutX(-bend)),
                    (joint("left elbow"), .aboutX(bend)), (joint("right elbow"), .aboutX(bend))]
        case .nodHead:
            return [(joint("head"), .aboutX(-amplitude * (1 - cos(2 * .pi * cycles * s)) / 2))]
        }
    }
}
