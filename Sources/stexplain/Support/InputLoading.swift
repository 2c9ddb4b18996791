import Foundation
import STCore
import STIO

/// What `stexplain explain --input` reads: a `.npy` tensor as it is, an NTU `.skeleton` file
/// padded or cut to `frames`, or any video ffmpeg reads — `frames` frames from `start` seconds,
/// every `stride`-th, resized, cropped and normalised by a preset.
struct InputLoading {
    var frames: Int
    var start: Double
    var stride: Int
    var preset: String

    static let presets: [String: VideoPreprocessing] = ["kinetics": .kinetics, "c3d": .c3d, "none": .none]

    func load(_ path: String) throws -> Tensor {
        if path.hasSuffix(".npy") { return try NPY.read(path: path) }
        if path.hasSuffix(".skeleton") {
            return try NTUSkeleton.read(contentsOf: URL(fileURLWithPath: path)).tensor(frames: frames)
        }
        guard let preprocessing = Self.presets[preset] else {
            throw STError.invalidRequest("unknown --preset '\(preset)'; use " + Self.presets.keys.sorted().joined(separator: ", "))
        }
        guard frames >= 1, stride >= 1, start >= 0 else {
            throw STError.invalidRequest("--frames and --stride must be at least 1 and --start not negative")
        }
        let clip = try VideoReader.read(path, clip: ClipSelection(startSeconds: start, frameCount: frames, sampling: .stride(stride)),
                                        preprocessing: preprocessing)
        if clip.isPadded {
            FileHandle.standardError.write(Data(("warning: \(path): \(clip.decodedFrameCount) of \(frames) frames decoded; "
                                                 + "the last one is repeated\n").utf8))
        }
        return clip.tensor
    }
}
