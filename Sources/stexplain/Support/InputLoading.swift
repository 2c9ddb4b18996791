import Foundation
import Logging
import STCore
import STIO

/// What `stexplain explain --input` reads: a `.npy` tensor as it is (or, with a skeleton
/// layout, a T×V×C / C×T×V×M array brought to N×C×T×V×M), an NTU `.skeleton` file padded or cut
/// to `frames`, or any video ffmpeg reads — `frames` frames from `start` seconds, every
/// `stride`-th, resized, cropped and normalised by a preset; with a window hop, every window of
/// `frames` frames `hop` frames apart, as a batch.
struct InputLoading: Sendable {
    var frames: Int
    var start: Double
    var stride: Int
    var preset: VideoPreset
    var windowHop: Int?
    var skeletonLayout: SkeletonArray.Layout?
    var joints = 25
    /// Where a warning about a short video goes.
    var log = Logger.stexplain(quiet: false)

    func load(_ path: String) throws -> Tensor {
        if path.hasSuffix(".npy") {
            guard let skeletonLayout else { return try NPY.read(path: path) }
            return try SkeletonArray.read(path: path, layout: skeletonLayout, joints: joints)
        }
        if path.hasSuffix(".skeleton") {
            return try NTUSkeleton.read(contentsOf: URL(fileURLWithPath: path)).tensor(frames: frames)
        }
        let (selection, preprocessing) = try videoSelection()
        let clip = try windowHop.map { hop in
            guard hop >= 1 else { throw STError.invalidRequest("--window-hop must be at least 1") }
            return try VideoReader.readWindows(path, length: frames, hop: hop, clip: selection, preprocessing: preprocessing)
        } ?? VideoReader.read(path, clip: selection, preprocessing: preprocessing)
        return tensor(of: clip, path: path)
    }

    /// Whether `path` is a video that `loadTogether` can decode with others (one clip, no windows).
    func decodesTogether(_ path: String) -> Bool {
        windowHop == nil && !path.hasSuffix(".npy") && !path.hasSuffix(".skeleton")
    }

    /// Videos decoded by one ffmpeg process, each with its own loading's start (the loadings of
    /// one manifest run, which differ in nothing else); nil when they cannot be decoded together
    /// (load them one by one then: that names a failing file).
    static func loadTogether(_ items: [(loading: InputLoading, path: String)]) throws -> [Tensor]? {
        guard let first = items.first?.loading else { return nil }
        let preprocessing = try first.videoSelection().preprocessing
        let selections = try items.map { try $0.loading.videoSelection().selection }
        guard let clips = try VideoReader.readTogether(items.map(\.path), clips: selections, preprocessing: preprocessing) else {
            return nil
        }
        return zip(items, clips).map { $0.loading.tensor(of: $1, path: $0.path) }
    }

    /// The clip selection and preprocessing of a video, after checking the options.
    private func videoSelection() throws -> (selection: ClipSelection, preprocessing: VideoPreprocessing) {
        let preprocessing = preset.preprocessing
        guard frames >= 1, stride >= 1, start >= 0 else {
            throw STError.invalidRequest("--frames and --stride must be at least 1 and --start not negative")
        }
        return (ClipSelection(startSeconds: start, frameCount: windowHop == nil ? frames : nil, sampling: .stride(stride)), preprocessing)
    }

    /// The clip's tensor, with a warning when it had to be padded.
    private func tensor(of clip: VideoClip, path: String) -> Tensor {
        if clip.isPadded {
            log.warning("\(path): \(clip.decodedFrameCount) of \(frames) frames decoded; the last one is repeated")
        }
        return clip.tensor
    }
}
