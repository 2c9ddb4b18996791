import Foundation
import STCore

/// Decodes video files into model inputs by running `ffprobe` (see `VideoProbe`; only when the
/// preprocessing's output size depends on the source's) and then
///
///     ffmpeg -v error -nostdin [-ss START] -i file:<path> -map 0:v:0
///            -vf [select=not(mod(n\,STRIDE)) | fps=fps=RATE,][scale=W:H:flags=bilinear,]format=rgb24[,crop=w:h:x:y]
///            -vsync passthrough [-frames:v COUNT] -f rawvideo -pix_fmt rgb24 pipe:1
///
/// `-vsync passthrough` hands over exactly the frames the filters keep (the default for raw
/// output would duplicate frames to fill the gaps a stride leaves). Rotation tags are applied
/// (ffmpeg's autorotate), so frames come out as displayed.
///
/// ```swift
/// let clip = try VideoReader.read("jump.mp4", clip: ClipSelection(frameCount: 16), preprocessing: .kinetics)
/// clip.tensor.shape  // [1, 3, 16, 112, 112]
/// let windows = try VideoReader.readWindows("long.mp4", length: 16, hop: 8, preprocessing: .kinetics)
/// windows.tensor.shape  // [N, 3, 16, 112, 112]
/// ```
///
/// Errors are `STError.badInput(file: path, reason:)`: those of `VideoProbe.probe`; `ffmpeg
/// failed: <its first error line>` when ffmpeg exits with an error; `no video frames decoded`
/// when the selection holds no frame (e.g. a start past the end); `ffmpeg did not finish within
/// … s and was stopped`. An inconsistent request (stride 0, a crop larger than the resized
/// frame, …) is `STError.invalidRequest`. A damaged file may also decode partially without an
/// error: fewer frames, the clip padded and `decodedFrameCount` saying so.
public enum VideoReader {
    /// One clip as a tensor (1, 3, T, H, W): T = `clip.frameCount` (padded by repeating the last
    /// frame when the video has fewer, see `VideoClip.decodedFrameCount`), or every frame of the
    /// selection when `clip.frameCount` is `nil`; H×W the preprocessing's output size (the crop,
    /// else the resize, else the video's displayed size).
    public static func read(_ path: String, clip: ClipSelection = ClipSelection(),
                            preprocessing: VideoPreprocessing = .none, tools: FFmpegTools = FFmpegTools()) throws -> VideoClip {
        let decoded = try decode(path, clip: clip, preprocessing: preprocessing, tools: tools)
        return single(decoded.frames, clip: clip, preprocessing: preprocessing, info: decoded.info)
    }

    /// `read`'s clip from its decoded frames.
    private static func single(_ frames: [VideoFrame], clip: ClipSelection, preprocessing: VideoPreprocessing,
                               info: VideoInfo?) -> VideoClip {
        VideoClip(tensor: preprocessing.tensor(of: frames, windowStarts: [0], length: clip.frameCount ?? frames.count),
                  windowStarts: [0], decodedFrameCount: frames.count, info: info)
    }

    /// Sliding windows of `length` frames, `hop` frames apart, over the frames `clip` selects:
    /// a tensor (N, 3, length, H, W) whose window n starts at decoded frame n·hop.
    ///
    /// Only complete windows are kept, N = ⌊(F − length) / hop⌋ + 1 for F ≥ `length` decoded
    /// frames (torchvision's `VideoClips` convention; frames after the last complete window are
    /// not covered). A video shorter than one window gives one window padded by repeating its
    /// last frame (`VideoClip.isPadded`). The whole selection is decoded into memory: limit it
    /// with `clip.startSeconds`/`clip.frameCount` for very long videos.
    ///
    /// - Throws: `STError.invalidRequest` when `length` or `hop` is below 1, and the errors of
    ///   `read`.
    public static func readWindows(_ path: String, length: Int, hop: Int, clip: ClipSelection = ClipSelection(),
                                   preprocessing: VideoPreprocessing = .none,
                                   tools: FFmpegTools = FFmpegTools()) throws -> VideoClip {
        guard length >= 1, hop >= 1 else {
            throw STError.invalidRequest("sliding windows need a length and a hop of at least 1 frame, got \(length) and \(hop)")
        }
        let decoded = try decode(path, clip: clip, preprocessing: preprocessing, tools: tools)
        let count = decoded.frames.count
        let starts = count >= length ? Array(stride(from: 0, through: count - length, by: hop)) : [0]
        return VideoClip(tensor: preprocessing.tensor(of: decoded.frames, windowStarts: starts, length: length),
                         windowStarts: starts, decodedFrameCount: count, info: decoded.info)
    }

    /// Several clips, each as `read` would return it, decoded by one ffmpeg process (one input
    /// and one raw output file per clip): a dataset run then pays ffmpeg's start-up once per group
    /// instead of once per clip (8 clips of 320×240: 0.20 CPU-s instead of 0.65). Only for a
    /// preprocessing with a fixed output size (Kinetics, C3D; `VideoInfo` is not probed).
    ///
    /// Returns nil when that does not work out — ffmpeg fails on one of the files, a clip comes
    /// out empty, or the preprocessing's size depends on the source's: read the clips one by one
    /// then, so that an error names its file as `read`'s do.
    public static func readTogether(_ paths: [String], clips: [ClipSelection], preprocessing: VideoPreprocessing,
                                    tools: FFmpegTools = FFmpegTools()) throws -> [VideoClip]? {
        precondition(paths.count == clips.count, "one clip selection per path")
        guard !paths.isEmpty, !preprocessing.needsSourceSize,
              let grouped = try decodeTogether(paths, clips: clips, preprocessing: preprocessing, tools: tools) else { return nil }
        return zip(grouped, clips).map { single($0, clip: $1, preprocessing: preprocessing, info: nil) }
    }

    /// The frames of every clip from one ffmpeg run; nil when ffmpeg fails or a clip is empty.
    private static func decodeTogether(_ paths: [String], clips: [ClipSelection], preprocessing: VideoPreprocessing,
                                       tools: FFmpegTools) throws -> [[VideoFrame]]? {
        let geometry = try preprocessing.geometry(sourceWidth: 0, sourceHeight: 0)
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("stexplain-decode-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        var inputs: [String] = [], outputs: [String] = []
        for (index, (path, clip)) in zip(paths, clips).enumerated() {
            let selection = try clip.ffmpegTerms()
            inputs += selection.seek + ["-i", FFmpegTools.fileArgument(path)]
            outputs += output(of: index, selection: selection, geometry: geometry, to: "file:\(folder)/\(index).rgb")
        }
        guard let run = try? tools.run(.ffmpeg, ["-v", "error", "-nostdin"] + inputs + outputs, file: paths[0]),
              run.succeeded else { return nil }
        var clipsFrames: [[VideoFrame]] = []
        for index in paths.indices {
            guard let data = FileManager.default.contents(atPath: "\(folder)/\(index).rgb") else { return nil }
            let frames = try self.frames(in: data, size: geometry.output)
            guard !frames.isEmpty else { return nil }
            clipsFrames.append(frames)
        }
        return clipsFrames
    }

    /// ffmpeg's output options for input `index`: its video stream through the selection's
    /// sampling and the geometry's filters, as raw RGB to `destination`.
    private static func output(of index: Int, selection: (seek: [String], filter: String?, limit: [String]),
                               geometry: FrameGeometry, to destination: String) -> [String] {
        let filters = (selection.filter.map { [$0] } ?? []) + geometry.filters
        return ["-map", "\(index):v:0", "-vf", filters.joined(separator: ","), "-vsync", "passthrough"] + selection.limit
            + ["-f", "rawvideo", "-pix_fmt", "rgb24", destination]
    }

    /// Raw RGB bytes as frames of `size`; a trailing partial frame (which only a killed decoder
    /// leaves) is dropped.
    private static func frames(in data: Data, size: VideoPreprocessing.Size) throws -> [VideoFrame] {
        let frameBytes = size.width * size.height * 3
        return try data.withUnsafeBytes { bytes in
            try (0..<(data.count / frameBytes)).map { index in
                try VideoFrame(width: size.width, height: size.height,
                               pixels: Array(bytes[index * frameBytes ..< (index + 1) * frameBytes]))
            }
        }
    }

    /// The selected frames as RGB bytes after the preprocessing's resize and crop (its channel
    /// order and normalisation are not applied) — e.g. the pictures to draw an explanation on.
    public static func frames(_ path: String, clip: ClipSelection = ClipSelection(),
                              preprocessing: VideoPreprocessing = .none, tools: FFmpegTools = FFmpegTools()) throws -> [VideoFrame] {
        try decode(path, clip: clip, preprocessing: preprocessing, tools: tools).frames
    }

    /// Runs ffmpeg for the selection and geometry and splits its output into frames. `path` is probed first only
    /// when the geometry depends on the source's size; a preset with a fixed size (Kinetics, C3D)
    /// starts one process per clip instead of two — which, in a dataset run, is CPU taken from the
    /// explanation — and probes only to explain a failure.
    private static func decode(_ path: String, clip: ClipSelection, preprocessing: VideoPreprocessing,
                               tools: FFmpegTools) throws -> (frames: [VideoFrame], info: VideoInfo?) {
        let selection = try clip.ffmpegTerms()
        let info = preprocessing.needsSourceSize ? try VideoProbe.probe(path, tools: tools) : nil
        let geometry = try preprocessing.geometry(sourceWidth: info?.width ?? 0, sourceHeight: info?.height ?? 0)
        let run = try tools.run(.ffmpeg, ["-v", "error", "-nostdin"] + selection.seek + ["-i", FFmpegTools.fileArgument(path)]
            + output(of: 0, selection: selection, geometry: geometry, to: "pipe:1"), file: path)
        guard run.succeeded else {
            if info == nil { _ = try VideoProbe.probe(path, tools: tools) }
            throw STError.badInput(file: path, reason: run.failureReason(.ffmpeg))
        }
        let frames = try self.frames(in: run.output, size: geometry.output)
        guard !frames.isEmpty else {
            let info = try info ?? VideoProbe.probe(path, tools: tools)
            let position = clip.startSeconds > 0
                ? " from \(FFmpegProcess.formatSeconds(clip.startSeconds)) s on (the video lasts \(FFmpegProcess.formatSeconds(info.durationSeconds)) s)"
                : ""
            throw STError.badInput(file: path, reason: "no video frames decoded\(position)")
        }
        return (frames, info)
    }
}
