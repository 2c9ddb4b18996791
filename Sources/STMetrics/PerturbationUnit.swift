import STCore
import STExplain

/// What one masked, deleted or inserted position is: a voxel or a whole frame of a clip, a pixel
/// of an image, a joint (over all frames and persons, seed 000) or a joint in one frame of a
/// skeleton sequence.
public enum PerturbationUnit: String, Sendable, CaseIterable, Codable {
    case voxel
    case frame
    case pixel
    case joint
    case jointTime = "joint-time"

    /// The unit used when none is chosen: voxels of clips, pixels of images, joints of skeletons.
    public static func defaultUnit(for kind: InputKind) -> PerturbationUnit {
        switch kind {
        case .video: .voxel
        case .image: .pixel
        case .skeleton: .joint
        }
    }

    /// The input axes a position spans (see `PositionGrid`).
    /// - Throws: `STError.invalidRequest` when the unit does not exist for `kind`.
    public func axes(for kind: InputKind) throws -> [Int] {
        guard let axes = axesIfDefined(for: kind) else {
            throw STError.invalidRequest("'\(rawValue)' positions do not exist for \(kind) inputs; use "
                                         + PerturbationUnit.allCases.filter { $0.axesIfDefined(for: kind) != nil }
                                             .map(\.rawValue).joined(separator: ", "))
        }
        return axes
    }

    private func axesIfDefined(for kind: InputKind) -> [Int]? {
        switch (self, kind) {
        case (.voxel, .video): [2, 3, 4]
        case (.frame, .video): [2]
        case (.pixel, .image): [2, 3]
        case (.joint, .skeleton): [3]
        case (.jointTime, .skeleton): [2, 3]
        default: nil
        }
    }

    /// Scores of the positions from maps at input resolution without channels ((N, T, H, W),
    /// (N, H, W) or (N, T, V)): the maps themselves for voxels, pixels and joint × time; each
    /// frame's sum for frames; for joints, each joint's mean over the sample's valid frames
    /// (seed 000's time average, `JointImportance.timeAveraged`).
    public func scores(from maps: Tensor, input: Tensor) -> Tensor {
        switch self {
        case .voxel, .pixel, .jointTime:
            return maps
        case .frame:
            let (samples, frames) = (maps.shape[0], maps.shape[1])
            let size = maps.count / (samples * frames)
            let values = maps.plain().scalars
            return Tensor(shape: [samples, frames], scalars: (0..<(samples * frames)).map { row in
                values[(row * size)..<((row + 1) * size)].reduce(0, +)
            })
        case .joint:
            let means = JointImportance.timeAveraged(maps, validFrames: JointImportance.validFrames(of: input))
            return Tensor(shape: [maps.shape[0], maps.shape[2]], scalars: means.joined().map(Float.init))
        }
    }
}
