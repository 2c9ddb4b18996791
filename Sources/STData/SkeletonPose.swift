import Foundation
import STCore
import STModels

/// A rigid NTU RGB+D body (`SkeletonLayout.ntuRGBD`, 25 Kinect v2 joints) posed by rotating its
/// bones: a rest pose, the kinematic tree of the layout's bones, and forward kinematics.
///
/// Body frame (metres): origin at the base of the spine, x towards the person's right, y up,
/// z towards the person's back — the person faces −z. With no rotation this frame coincides with
/// Kinect camera space (x to the sensor's left, y up, z away from the sensor) for a person facing
/// the sensor.
///
/// The tree is rooted at joint 0 (base of spine); every other joint `j` ends the bone from its
/// parent `p(j)`. Each joint carries a rotation `L_j` of that bone relative to the parent bone's
/// frame (the root's is the whole body's orientation), so a rotation turns the bone about the
/// joint where it starts and carries every bone below it along. Forward kinematics:
///
///     G_root = L_root,  x_root = rootPosition
///     G_j = G_p(j) · L_j,  x_j = x_p(j) + scale · G_j · (r_j − r_p(j))
///
/// where `r` is `restPositions`. Bone lengths are `scale · |r_j − r_p(j)|` whatever the rotations.
public struct SkeletonPose: Sendable, Equatable {
    /// A rotation of 3-D space, the 3 × 3 orthonormal matrix R with rows `row0`, `row1`, `row2`;
    /// it maps a vector v to R·v.
    public struct Rotation: Sendable, Equatable {
        public var row0: SIMD3<Float>
        public var row1: SIMD3<Float>
        public var row2: SIMD3<Float>

        public init(row0: SIMD3<Float>, row1: SIMD3<Float>, row2: SIMD3<Float>) {
            self.row0 = row0
            self.row1 = row1
            self.row2 = row2
        }

        /// The identity I.
        public static let identity = Rotation(row0: [1, 0, 0], row1: [0, 1, 0], row2: [0, 0, 1])

        /// Rotation by `angle` radians about `axis`, right-handed (Rodrigues' formula):
        /// `R = cos θ·I + sin θ·[k]× + (1 − cos θ)·k kᵀ` with `k = axis/|axis|`; the identity for a
        /// zero axis.
        public init(axis: SIMD3<Float>, angle: Float) {
            let length = (axis * axis).sum().squareRoot()
            guard length > 0 else {
                self = .identity
                return
            }
            let k = axis / length
            let (c, s) = (cos(angle), sin(angle))
            let t = 1 - c
            row0 = [c + k.x * k.x * t, k.x * k.y * t - k.z * s, k.x * k.z * t + k.y * s]
            row1 = [k.y * k.x * t + k.z * s, c + k.y * k.y * t, k.y * k.z * t - k.x * s]
            row2 = [k.z * k.x * t - k.y * s, k.z * k.y * t + k.x * s, c + k.z * k.z * t]
        }

        /// Rotation about the x axis: y turns towards z, `(x, y, z) ↦ (x, y cos θ − z sin θ, y sin θ + z cos θ)`.
        /// In the body frame a positive angle swings a hanging limb forwards (towards −z).
        public static func aboutX(_ angle: Float) -> Rotation { Rotation(axis: [1, 0, 0], angle: angle) }

        /// Rotation about the vertical y axis: z turns towards x, `(x, z) ↦ (x cos θ + z sin θ, −x sin θ + z cos θ)`.
        public static func aboutY(_ angle: Float) -> Rotation { Rotation(axis: [0, 1, 0], angle: angle) }

        /// Rotation about the z axis: x turns towards y, `(x, y) ↦ (x cos θ − y sin θ, x sin θ + y cos θ)`.
        /// In the body frame a positive angle lifts a hanging right arm sideways.
        public static func aboutZ(_ angle: Float) -> Rotation { Rotation(axis: [0, 0, 1], angle: angle) }

        /// The composition `(A·B)·v = A·(B·v)`: B first, then A.
        public static func * (lhs: Rotation, rhs: Rotation) -> Rotation {
            func row(_ r: SIMD3<Float>) -> SIMD3<Float> { r.x * rhs.row0 + r.y * rhs.row1 + r.z * rhs.row2 }
            return Rotation(row0: row(lhs.row0), row1: row(lhs.row1), row2: row(lhs.row2))
        }

        /// The rotated vector R·v.
        public static func * (lhs: Rotation, rhs: SIMD3<Float>) -> SIMD3<Float> {
            [(lhs.row0 * rhs).sum(), (lhs.row1 * rhs).sum(), (lhs.row2 * rhs).sum()]
        }
    }

    /// The joints and bones posed: NTU RGB+D's 25 Kinect v2 joints.
    public static let layout = SkeletonLayout.ntuRGBD

    /// Rest pose in the body frame, metres, indexed like `layout.jointNames`: an adult of about
    /// 1.75 m standing upright, arms hanging, feet pointing forwards. Segment lengths: pelvis to
    /// shoulder line 0.47, neck to head 0.17, upper arm 0.28, forearm 0.25, thigh 0.42, shin 0.40;
    /// shoulders 0.34 and hips 0.16 apart.
    public static let restPositions: [SIMD3<Float>] = [
        [0, 0, 0],                // base of spine
        [0, 0.25, 0],             // middle of spine
        [0, 0.55, 0],             // neck
        [0, 0.72, 0],             // head
        [-0.17, 0.45, 0],         // left shoulder
        [-0.19, 0.17, 0],         // left elbow
        [-0.20, -0.08, 0],        // left wrist
        [-0.20, -0.15, 0],        // left hand
        [0.17, 0.45, 0],          // right shoulder
        [0.19, 0.17, 0],          // right elbow
        [0.20, -0.08, 0],         // right wrist
        [0.20, -0.15, 0],         // right hand
        [-0.08, -0.05, 0],        // left hip
        [-0.09, -0.47, 0],        // left knee
        [-0.09, -0.87, 0],        // left ankle
        [-0.10, -0.91, -0.10],    // left foot
        [0.08, -0.05, 0],         // right hip
        [0.09, -0.47, 0],         // right knee
        [0.09, -0.87, 0],         // right ankle
        [0.10, -0.91, -0.10],     // right foot
        [0, 0.47, 0],             // spine (between the shoulders)
        [-0.20, -0.23, 0],        // tip of left hand
        [-0.17, -0.13, -0.03],    // left thumb
        [0.20, -0.23, 0],         // tip of right hand
        [0.17, -0.13, -0.03],     // right thumb
    ]

    /// The root of the kinematic tree: joint 0, base of spine.
    public static let root = 0

    /// `parents[j]`: the joint where the bone ending at `j` starts, `nil` for the root; found by a
    /// breadth-first walk of `layout.edges` from `root`.
    public static let parents: [Int?] = kinematicTree.parents

    /// Joints in breadth-first order from the root (every parent before its children).
    static let topologicalOrder: [Int] = kinematicTree.order

    private static let kinematicTree: (parents: [Int?], order: [Int]) = {
        var neighbours = [[Int]](repeating: [], count: layout.jointCount)
        for (a, b) in layout.edges {
            neighbours[a].append(b)
            neighbours[b].append(a)
        }
        var parents = [Int?](repeating: nil, count: layout.jointCount)
        var order = [root]
        var visited = Set([root])
        var next = 0
        while next < order.count {
            let joint = order[next]
            next += 1
            for neighbour in neighbours[joint] where !visited.contains(neighbour) {
                visited.insert(neighbour)
                parents[neighbour] = joint
                order.append(neighbour)
            }
        }
        precondition(order.count == layout.jointCount, "the NTU layout's bones must form one tree")
        return (parents, order)
    }()

    /// The index of the joint called `name` in `layout.jointNames` (a programmer error if absent).
    static func joint(_ name: String) -> Int {
        guard let index = layout.jointNames.firstIndex(of: name) else {
            preconditionFailure("no NTU joint called '\(name)'")
        }
        return index
    }

    /// The joints a rotation of the bone ending at `joint` moves: `joint` and all its descendants,
    /// in ascending order.
    public static func subtree(of joint: Int) -> [Int] {
        var members: Set<Int> = [joint]
        for candidate in topologicalOrder {
            if let parent = parents[candidate], members.contains(parent) { members.insert(candidate) }
        }
        return members.sorted()
    }

    /// `L_j` for every joint `j` (identity at rest); `boneRotations[root]` orients the whole body.
    public var boneRotations: [Rotation]
    /// Where the root joint is, metres.
    public var rootPosition: SIMD3<Float>
    /// Uniform body scale applied to every rest bone.
    public var scale: Float

    /// The rest pose with its root at `rootPosition`, scaled by `scale`.
    public init(rootPosition: SIMD3<Float> = .zero, scale: Float = 1) {
        boneRotations = Array(repeating: .identity, count: Self.layout.jointCount)
        self.rootPosition = rootPosition
        self.scale = scale
    }

    /// Joint positions by forward kinematics (see the type's documentation), indexed by joint.
    public func jointPositions() -> [SIMD3<Float>] {
        var global = [Rotation](repeating: .identity, count: Self.layout.jointCount)
        var positions = [SIMD3<Float>](repeating: .zero, count: Self.layout.jointCount)
        for joint in Self.topologicalOrder {
            guard let parent = Self.parents[joint] else {
                global[joint] = boneRotations[joint]
                positions[joint] = rootPosition
                continue
            }
            global[joint] = global[parent] * boneRotations[joint]
            let bone = Self.restPositions[joint] - Self.restPositions[parent]
            positions[joint] = positions[parent] + scale * (global[joint] * bone)
        }
        return positions
    }
}
