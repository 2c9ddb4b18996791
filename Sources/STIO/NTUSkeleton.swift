import Foundation
import STCore

/// A skeleton sequence in the NTU RGB+D `.skeleton` text format (Shahroudy et al., "NTU RGB+D: A
/// Large Scale Dataset for 3D Human Activity Analysis", CVPR 2016), as the Kinect v2 recorded it:
///
///     F                                    frame count
///     B                                    body count of frame 1
///     bodyID clipedEdges handLeftConfidence handLeftState handRightConfidence handRightState
///         isResticted leanX leanY trackingState                     (10 values, per body)
///     25                                   joint count
///     x y z depthX depthY colorX colorY orientationW orientationX orientationY orientationZ
///         trackingState                    (12 values, per joint, 25 lines)
///     …                                    the next body, then the next frame
///
/// Values are separated by whitespace; lines may end in CRLF and carry trailing spaces. Only each
/// body's `bodyID` (kept as its decimal text: the Kinect's 64-bit tracking IDs, such as
/// `72057594037931101`, do not fit a `Float`) and the camera-space joint positions `x, y, z` (in
/// metres) are kept; every other value is checked to be a number and dropped. Joints are in the
/// Kinect v2 order (0 base of the spine … 24 right thumb), the order `SkeletonLayout.ntuRGBD` and
/// st-gcn use.
///
/// `tensor(frames:persons:)` turns the sequence into an ST-GCN input `(1, 3, T, 25, M)`.
public struct NTUSkeleton: Sendable, Equatable {
    /// Joints per body in the format (the Kinect v2 skeleton).
    public static let jointCount = 25
    /// The most bodies a frame may list: the Kinect v2 tracks at most six at once.
    public static let maximumBodiesPerFrame = 6

    /// One tracked body in one frame.
    public struct Body: Sendable, Equatable {
        /// The Kinect tracking ID, as the decimal text of the file; the same person keeps it from
        /// frame to frame.
        public let id: String
        /// The `x, y, z` camera-space position of each joint (metres), `jointCount` of them.
        public let joints: [SIMD3<Float>]

        /// A body with `NTUSkeleton.jointCount` joints (fewer or more is a programmer error).
        public init(id: String, joints: [SIMD3<Float>]) {
            precondition(joints.count == NTUSkeleton.jointCount,
                         "an NTU body has \(NTUSkeleton.jointCount) joints, not \(joints.count)")
            self.id = id
            self.joints = joints
        }
    }

    /// The bodies of each frame, in file order (a frame may have none).
    public let frames: [[Body]]

    /// A sequence of frames.
    public init(frames: [[Body]]) {
        self.frames = frames
    }

    /// Reads the `.skeleton` file at `url` (a file URL).
    ///
    /// Throws `STError.badInput(file: url.path, reason:)` when the file is missing ("no such
    /// file") or unreadable, or for any reason `parse(_:file:)` gives.
    public static func read(contentsOf url: URL) throws -> NTUSkeleton {
        let path = url.path
        return try parse(bytes: [UInt8](MappedFile.contents(of: path)), file: path)
    }

    /// Parses `.skeleton` text; `file` names it in errors.
    ///
    /// Throws `STError.badInput(file: file, reason:)` whose reason starts with the 1-based line
    /// number, `"line 5: expected 25 joints, got 24"`, for: an empty file; a count line (frames,
    /// bodies, joints) that is not one whole number; a negative frame or body count, or more than
    /// `maximumBodiesPerFrame` bodies; a joint count other than 25; a body line without exactly 10
    /// values or a joint line without exactly 12; a value that is not a number (`"'abc' is not a
    /// number"`), a body ID that is not an unsigned integer, or a coordinate that is not finite;
    /// the same body ID twice in one frame; a file that ends early (`"line 120: file ends inside
    /// frame 7 of 10"`, or `"… ends before frame 7 of 10"` when frame 6 was complete); and content
    /// after the last frame (a frame count that is too small).
    public static func parse(_ text: String, file: String) throws -> NTUSkeleton {
        try parse(bytes: Array(text.utf8), file: file)
    }

    /// Parses `.skeleton` bytes, turning a `FormatProblem` into `STError.badInput` naming `file`.
    private static func parse(bytes: [UInt8], file: String) throws -> NTUSkeleton {
        var parser = NTUSkeletonParser(lines: LineScanner(bytes))
        do {
            return try parser.parse()
        } catch let problem as FormatProblem {
            throw STError.badInput(file: file, reason: problem.reason)
        }
    }
}
