import STCore

/// The joints of a skeleton and the bones between them: the graph an ST-GCN convolves over.
///
/// Joints are numbered from 0 in the order the data stores them (the `V` axis of an
/// `N × C × T × V × M` input). `edges` lists each bone once as a pair of joint indices; self-links
/// are implied and never listed. `center` is the joint the spatial partition measures hop
/// distances from (Yan et al., "Spatial Temporal Graph Convolutional Networks for Skeleton-Based
/// Action Recognition", AAAI 2018, §3.3: the skeleton's "gravity center").
public struct SkeletonLayout: Sendable {
    /// Identifier used in reports (`ntu-rgb+d`, `openpose`, `coco`, or the caller's own).
    public let name: String
    /// One name per joint, in storage order.
    public let jointNames: [String]
    /// Bones as 0-based `(a, b)` joint pairs; the graph is undirected, so the order inside a pair
    /// does not matter.
    public let edges: [(Int, Int)]
    /// Index of the center joint.
    public let center: Int

    /// Number of joints V.
    public var jointCount: Int { jointNames.count }

    /// A custom layout. Throws `STError.invalidRequest` when a bone or the center names a joint
    /// outside `0..<jointNames.count`, a bone joins a joint to itself, or there are no joints.
    public init(name: String, jointNames: [String], edges: [(Int, Int)], center: Int) throws {
        let joints = 0..<jointNames.count
        guard !jointNames.isEmpty else {
            throw STError.invalidRequest("skeleton layout '\(name)' has no joints")
        }
        guard joints.contains(center) else {
            throw STError.invalidRequest("skeleton layout '\(name)': center \(center) is not a joint (0..<\(joints.count))")
        }
        for (a, b) in edges {
            guard joints.contains(a), joints.contains(b) else {
                throw STError.invalidRequest("skeleton layout '\(name)': bone (\(a), \(b)) names a joint outside 0..<\(joints.count)")
            }
            guard a != b else {
                throw STError.invalidRequest("skeleton layout '\(name)': bone (\(a), \(b)) joins a joint to itself")
            }
        }
        self.name = name
        self.jointNames = jointNames
        self.edges = edges
        self.center = center
    }

    /// A custom layout whose joints are called `joint 0`, `joint 1`, …; same checks as
    /// `init(name:jointNames:edges:center:)`.
    public init(name: String, jointCount: Int, edges: [(Int, Int)], center: Int) throws {
        try self.init(name: name, jointNames: (0..<max(jointCount, 0)).map { "joint \($0)" }, edges: edges,
                      center: center)
    }

    /// Built-in layouts are written out by hand; a mistake in them is a programmer error.
    private init(builtIn name: String, jointNames: [String], edges: [(Int, Int)], center: Int) {
        self.name = name
        self.jointNames = jointNames
        self.edges = edges
        self.center = center
    }

    /// The 25 Kinect v2 joints of NTU RGB+D, with yysijie/st-gcn's `ntu-rgb+d` bones (its 1-based
    /// list shifted to 0-based) and center joint 20, "spine" (the 21st joint, at the shoulders).
    /// The built-in layout with `joints` joints: 25 NTU RGB+D, 18 OpenPose, 17 COCO.
    public static func forJointCount(_ joints: Int) throws -> SkeletonLayout {
        switch joints {
        case 25: return .ntuRGBD
        case 18: return .openpose
        case 17: return .coco
        default: throw STError.invalidRequest("st_gcn has layouts for 25 (NTU), 18 (OpenPose) and 17 (COCO) joints, not \(joints)")
        }
    }

    public static let ntuRGBD = SkeletonLayout(
        builtIn: "ntu-rgb+d",
        jointNames: ["base of spine", "middle of spine", "neck", "head",
                     "left shoulder", "left elbow", "left wrist", "left hand",
                     "right shoulder", "right elbow", "right wrist", "right hand",
                     "left hip", "left knee", "left ankle", "left foot",
                     "right hip", "right knee", "right ankle", "right foot",
                     "spine", "tip of left hand", "left thumb", "tip of right hand", "right thumb"],
        edges: [(0, 1), (1, 20), (2, 20), (3, 2), (4, 20), (5, 4), (6, 5), (7, 6),
                (8, 20), (9, 8), (10, 9), (11, 10), (12, 0), (13, 12), (14, 13), (15, 14),
                (16, 0), (17, 16), (18, 17), (19, 18), (21, 22), (22, 7), (23, 24), (24, 11)],
        center: 20)

    /// OpenPose's 18-joint body model (COCO-18 order), with yysijie/st-gcn's `openpose` bones and
    /// center joint 1, the neck.
    public static let openpose = SkeletonLayout(
        builtIn: "openpose",
        jointNames: ["nose", "neck", "right shoulder", "right elbow", "right wrist",
                     "left shoulder", "left elbow", "left wrist", "right hip", "right knee", "right ankle",
                     "left hip", "left knee", "left ankle", "right eye", "left eye", "right ear", "left ear"],
        edges: [(4, 3), (3, 2), (7, 6), (6, 5), (13, 12), (12, 11), (10, 9), (9, 8), (11, 5), (8, 2),
                (5, 1), (2, 1), (0, 1), (15, 0), (14, 0), (17, 15), (16, 14)],
        center: 1)

    /// The 17 COCO keypoints, with the bones and center joint 0 (the nose) of the `coco` layout in
    /// MMAction2's and PYSKL's ST-GCN graphs.
    public static let coco = SkeletonLayout(
        builtIn: "coco",
        jointNames: ["nose", "left eye", "right eye", "left ear", "right ear",
                     "left shoulder", "right shoulder", "left elbow", "right elbow", "left wrist", "right wrist",
                     "left hip", "right hip", "left knee", "right knee", "left ankle", "right ankle"],
        edges: [(15, 13), (13, 11), (16, 14), (14, 12), (11, 5), (12, 6), (9, 7), (7, 5), (10, 8), (8, 6),
                (5, 0), (6, 0), (1, 0), (3, 1), (2, 0), (4, 2)],
        center: 0)
}
