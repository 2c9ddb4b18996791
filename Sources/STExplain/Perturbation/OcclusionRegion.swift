import STCore

/// A part of the input that occlusion replaces by the baseline, over all channels (and persons):
/// a box over the map axes — (T, H, W), (H, W) or (T, V) — or a set of joints over all frames.
enum OcclusionRegion: Sendable, Equatable {
    case box(start: [Int], size: [Int])
    case joints([Int])

    /// Flat indices of the map positions the region covers, for a map of `shape`.
    func positions(in shape: [Int]) -> [Int] {
        switch self {
        case .joints(let joints):
            let (frames, jointCount) = (shape[0], shape[1])
            return (0..<frames).flatMap { t in joints.map { t * jointCount + $0 } }
        case .box(let start, let size):
            var positions = [0]
            for axis in shape.indices {
                let range = start[axis]..<min(start[axis] + size[axis], shape[axis])
                positions = positions.flatMap { prefix in range.map { prefix * shape[axis] + $0 } }
            }
            return positions
        }
    }

    /// Boxes of `window` moved by `stride` along every axis of `shape` (Captum's sliding windows:
    /// starts 0, s, 2s, … while the box fits, plus a last box flush with the end).
    static func slidingWindows(shape: [Int], window: [Int], stride: [Int]) throws -> [OcclusionRegion] {
        guard window.count == shape.count, stride.count == shape.count,
              window.allSatisfy({ $0 >= 1 }), stride.allSatisfy({ $0 >= 1 }) else {
            throw STError.invalidRequest("occlusion window \(window) and stride \(stride) need \(shape.count) positive sizes "
                                         + "for map axes \(shape)")
        }
        let startsPerAxis = shape.indices.map { axis -> [Int] in
            let size = min(window[axis], shape[axis])
            var starts = Array(Swift.stride(from: 0, through: shape[axis] - size, by: stride[axis]))
            if let last = starts.last, last + size < shape[axis] { starts.append(shape[axis] - size) }
            return starts
        }
        var regions: [[Int]] = [[]]
        for starts in startsPerAxis { regions = regions.flatMap { prefix in starts.map { prefix + [$0] } } }
        return regions.map { .box(start: $0, size: zip(window, shape).map { min($0, $1) }) }
    }

    /// The default regions: one joint over all frames for skeletons; otherwise boxes of about a
    /// quarter of the clip's length and an eighth of each spatial side, not overlapping.
    static func defaults(shape: [Int], kind: InputKind) throws -> [OcclusionRegion] {
        if kind == .skeleton { return (0..<shape[1]).map { .joints([$0]) } }
        let window = shape.enumerated().map { axis, size in
            max(1, (size + (kind == .video && axis == 0 ? 3 : 7)) / (kind == .video && axis == 0 ? 4 : 8))
        }
        return try slidingWindows(shape: shape, window: window, stride: window)
    }
}
