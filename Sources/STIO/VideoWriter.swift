import Foundation
import STCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes RGB frames as an MP4 or GIF file by piping them, raw, into
///
///     ffmpeg -v error -y -f rawvideo -pix_fmt rgb24 -s WxH -framerate FPS -i pipe:0 -an
///            MP4, H.264:  [-vf pad=ceil(iw/2)*2:ceil(ih/2)*2] -c:v libx264 -preset medium -crf 18 -pix_fmt yuv420p -movflags +faststart -f mp4
///            MP4, MPEG-4: [-vf pad=…] -c:v mpeg4 -q:v 2 -pix_fmt yuv420p -movflags +faststart -f mp4
///            GIF:         -vf split[a][b];[a]palettegen[p];[b][p]paletteuse -f gif
///            file:<dir>/.<name>.tmp-<pid>
///
/// and renaming the temporary file to the destination when ffmpeg succeeded (the rename is
/// atomic: readers see the old file or the whole new one); on any failure the temporary file is
/// removed. H.264 is used when `ffmpeg -encoders` lists `libx264`, else MPEG-4 part 2 (every
/// ffmpeg build has it). 4:2:0 chroma needs even sizes, so an odd width or height is padded by
/// one black column or row. CRF 18 (H.264) and `-q:v 2` (MPEG-4) are visually lossless for
/// overlays; the GIF palette is computed from all frames (`palettegen`) and applied with
/// `paletteuse`'s default dithering in one filter graph.
///
/// ```swift
/// try VideoWriter.write(frames, to: "out/overlay.mp4", framesPerSecond: 10)
/// try VideoWriter.write(frames, to: "out/overlay.gif", framesPerSecond: 10)
/// ```
public enum VideoWriter {
    /// The file formats `VideoWriter` writes.
    public enum Format: String, Sendable {
        case mp4
        case gif

        /// The format a file name's extension asks for (`.mp4`/`.m4v` → MP4, `.gif` → GIF).
        public init?(pathExtension: String) {
            switch pathExtension.lowercased() {
            case "mp4", "m4v": self = .mp4
            case "gif": self = .gif
            default: return nil
            }
        }
    }

    /// The video codecs `VideoWriter` uses for MP4.
    public enum Codec: String, Sendable {
        /// H.264 through ffmpeg's `libx264` encoder.
        case h264
        /// MPEG-4 part 2 through ffmpeg's native `mpeg4` encoder.
        case mpeg4
    }

    /// Writes `frames`, shown `framesPerSecond` a second, to `path`.
    ///
    /// - Parameters:
    ///   - frames: at least one frame, all of the same size.
    ///   - format: the file format; by default taken from `path`'s extension.
    ///   - codec: the MP4 codec; by default `bestCodec(tools:)`. Ignored for GIF.
    /// - Throws: `STError.invalidRequest` for no frames, frames of different sizes, a frame rate
    ///   that is not positive, or an extension that is neither `.mp4`/`.m4v` nor `.gif` without
    ///   a `format`; `STError.badInput(file: path, reason:)` when the destination folder does
    ///   not exist, ffmpeg is missing, fails (`ffmpeg failed: <its first error line>`) or does
    ///   not finish within the time limit.
    public static func write(_ frames: [VideoFrame], to path: String, framesPerSecond: Double,
                             format: Format? = nil, codec: Codec? = nil, tools: FFmpegTools = FFmpegTools()) throws {
        guard let first = frames.first else { throw STError.invalidRequest("no frames to write to \(path)") }
        guard frames.allSatisfy({ $0.width == first.width && $0.height == first.height }) else {
            throw STError.invalidRequest("frames written to \(path) must all be \(first.width)×\(first.height)")
        }
        guard framesPerSecond.isFinite, framesPerSecond > 0 else {
            throw STError.invalidRequest("frame rate must be positive, got \(framesPerSecond)")
        }
        let destination = URL(fileURLWithPath: path)
        guard let format = format ?? Format(pathExtension: destination.pathExtension) else {
            throw STError.invalidRequest("cannot tell the video format of \(path): use a .mp4 or .gif name")
        }
        var isDirectory: ObjCBool = false
        let folder = destination.deletingLastPathComponent().path
        guard FileManager.default.fileExists(atPath: folder, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw STError.badInput(file: path, reason: "folder \(folder) does not exist")
        }

        let encoding: [String]
        switch format {
        case .mp4:
            let evenSize = first.width % 2 == 0 && first.height % 2 == 0 ? [] : ["-vf", "pad=ceil(iw/2)*2:ceil(ih/2)*2"]
            let codecOptions = switch try codec ?? bestCodec(tools: tools, for: path) {
            case .h264: ["-c:v", "libx264", "-preset", "medium", "-crf", "18"]
            case .mpeg4: ["-c:v", "mpeg4", "-q:v", "2"]
            }
            encoding = evenSize + codecOptions + ["-pix_fmt", "yuv420p", "-movflags", "+faststart", "-f", "mp4"]
        case .gif:
            encoding = ["-vf", "split[a][b];[a]palettegen[p];[b][p]paletteuse", "-f", "gif"]
        }
        let temporary = AtomicFileWriter.temporaryPath(for: path)
        do {
            let run = try tools.run(.ffmpeg, [
                "-v", "error", "-y", "-f", "rawvideo", "-pix_fmt", "rgb24", "-s", "\(first.width)x\(first.height)",
                "-framerate", FFmpegTools.decimal(framesPerSecond), "-i", "pipe:0", "-an",
            ] + encoding + [FFmpegTools.fileArgument(temporary)], input: frames.map(\.pixels), file: path)
            guard run.succeeded else { throw STError.badInput(file: path, reason: run.failureReason(.ffmpeg)) }
            guard rename(temporary, path) == 0 else {
                throw STError.badInput(file: path, reason: "cannot rename \(temporary) to the destination: \(String(cString: strerror(errno)))")
            }
        } catch {
            unlink(temporary)
            throw error
        }
    }

    /// `.h264` when this ffmpeg has the `libx264` encoder (`ffmpeg -hide_banner -encoders`
    /// lists it), else `.mpeg4`; asked once per ffmpeg executable and process. `file` names the
    /// video in errors.
    public static func bestCodec(tools: FFmpegTools = FFmpegTools(), for file: String = "ffmpeg") throws -> Codec {
        let executable = try tools.executable(.ffmpeg, neededFor: file)
        if let known = codecLock.withLock({ knownCodecs[executable] }) { return known }
        let run = try tools.run(.ffmpeg, ["-hide_banner", "-nostdin", "-encoders"], file: file)
        guard run.succeeded else { throw STError.badInput(file: file, reason: run.failureReason(.ffmpeg)) }
        let listsLibx264 = String(decoding: run.output, as: UTF8.self).split(whereSeparator: \.isNewline)
            .contains { $0.split(separator: " ").dropFirst().first == "libx264" }
        let codec: Codec = listsLibx264 ? .h264 : .mpeg4
        codecLock.withLock { knownCodecs[executable] = codec }
        return codec
    }

    /// `bestCodec`'s answers by ffmpeg executable, under `codecLock`.
    nonisolated(unsafe) private static var knownCodecs: [String: Codec] = [:]
    private static let codecLock = NSLock()
}
