import Foundation
import STCore

/// Reads the frame rate, duration, size and frame count of a video file's first video stream by
/// running
///
///     ffprobe -v error -select_streams v:0
///             -show_entries stream=codec_name,width,height,avg_frame_rate,r_frame_rate,duration,nb_frames
///                           :stream_side_data=rotation:stream_disposition=attached_pic:format=duration
///             -of json file:<path>
///
/// Any format ffmpeg reads works. Errors are `STError.badInput(file: path, reason:)`, one line:
/// - `no such file` / `is a directory, not a file`;
/// - `ffprobe is not installed; run scripts/install-deps.sh` (see `FFmpegTools`);
/// - `ffprobe failed: <its first error line>` for a corrupt, truncated or non-video file
///   (e.g. `Invalid data found when processing input`); an MP4 without its index (`moov atom not
///   found`) reads `not a playable MP4: its index (moov atom) is missing — the file is truncated,
///   still being written, or not an MP4`;
/// - `no video stream (only audio or other streams)` for an audio-only file (cover art attached to
///   audio does not count), `no streams at all: the file is damaged or truncated` for a container
///   whose stream table is lost;
/// - `the video stream has no frame size (ffprobe: stream 0, offset 0x3ad: partial file)` for a
///   file cut inside its first frame;
/// - `ffprobe did not finish within 60 s and was stopped`.
public enum VideoProbe {
    /// The facts of `path`'s first video stream (see the type's description for the errors).
    public static func probe(_ path: String, tools: FFmpegTools = FFmpegTools()) throws -> VideoInfo {
        try requireRegularFile(path)
        let run = try tools.run(.ffprobe, [
            "-v", "error", "-select_streams", "v:0",
            "-show_entries", "stream=codec_name,width,height,avg_frame_rate,r_frame_rate,duration,nb_frames"
                + ":stream_side_data=rotation:stream_disposition=attached_pic:format=duration,nb_streams",
            "-of", "json", FFmpegTools.fileArgument(path),
        ], file: path)
        guard run.succeeded else { throw STError.badInput(file: path, reason: explained(run.failureReason(.ffprobe))) }
        let report: ProbeReport
        do {
            let decoder = JSONDecoder()
            decoder.keyDecodingStrategy = .convertFromSnakeCase
            report = try decoder.decode(ProbeReport.self, from: run.output)
        } catch {
            throw STError.badInput(file: path, reason: "ffprobe printed output that is not the expected JSON")
        }
        guard let stream = report.streams?.first(where: { $0.disposition?.attachedPic != 1 }) else {
            throw STError.badInput(file: path, reason: report.format?.nbStreams == 0
                                   ? "no streams at all: the file is damaged or truncated"
                                   : "no video stream (only audio or other streams)")
        }
        return try info(of: stream, containerDuration: report.format?.duration, warning: run.firstErrorLine, file: path)
    }

    /// ffprobe's failure in words a user can act on, where its own are cryptic.
    static func explained(_ reason: String) -> String {
        guard reason.hasSuffix("moov atom not found") else { return reason }
        return "not a playable MP4: its index (moov atom) is missing — the file is truncated, still being written, or not an MP4"
    }

    /// `STError.badInput` unless `path` names an existing regular file.
    static func requireRegularFile(_ path: String) throws {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw STError.badInput(file: path, reason: "no such file")
        }
        guard !isDirectory.boolValue else { throw STError.badInput(file: path, reason: "is a directory, not a file") }
    }

    /// The facts of `stream`; `warning`, ffprobe's first message on a successful run (a damaged
    /// file's "partial file"), is appended to the errors of a stream too damaged to describe.
    private static func info(of stream: ProbeReport.Stream, containerDuration: String?, warning: String?,
                             file: String) throws -> VideoInfo {
        let note = warning.map { " (ffprobe: \($0))" } ?? ""
        guard let storedWidth = stream.width, let storedHeight = stream.height, storedWidth > 0, storedHeight > 0 else {
            throw STError.badInput(file: file, reason: "the video stream has no frame size\(note)")
        }
        guard let framesPerSecond = [stream.avgFrameRate, stream.rFrameRate].lazy.compactMap(rate).first else {
            throw STError.badInput(file: file, reason: "the video stream has no frame rate\(note)")
        }
        let rotation = Int((stream.sideDataList ?? []).compactMap(\.rotation).first ?? 0)
        let sideways = abs(rotation) % 180 == 90
        let duration = [stream.duration, containerDuration].lazy.compactMap { $0.flatMap(Double.init) }
            .first(where: { $0.isFinite && $0 > 0 }) ?? 0
        let recordedFrames = stream.nbFrames.flatMap { Int($0) } ?? 0
        return VideoInfo(width: sideways ? storedHeight : storedWidth, height: sideways ? storedWidth : storedHeight,
                         framesPerSecond: framesPerSecond, durationSeconds: duration,
                         estimatedFrameCount: recordedFrames > 0 ? recordedFrames : Int((duration * framesPerSecond).rounded()),
                         rotationDegrees: rotation, codec: stream.codecName ?? "unknown")
    }

    /// A positive rate from ffprobe's `"num/den"` text (`"30000/1001"`); `nil` for `"0/0"`.
    private static func rate(_ text: String?) -> Double? {
        guard let parts = text?.split(separator: "/"), parts.count == 2,
              let numerator = Double(parts[0]), let denominator = Double(parts[1]), denominator > 0 else { return nil }
        let value = numerator / denominator
        return value.isFinite && value > 0 ? value : nil
    }
}

/// The part of ffprobe's JSON report that `VideoProbe` reads (keys in snake case; ffprobe
/// prints durations, frame counts and rates as strings).
private struct ProbeReport: Decodable {
    struct Stream: Decodable {
        struct SideData: Decodable {
            let rotation: Double?
        }
        struct Disposition: Decodable {
            let attachedPic: Int?
        }
        let codecName: String?
        let width: Int?
        let height: Int?
        let avgFrameRate: String?
        let rFrameRate: String?
        let duration: String?
        let nbFrames: String?
        let disposition: Disposition?
        let sideDataList: [SideData]?
    }
    struct Format: Decodable {
        let duration: String?
        let nbStreams: Int?
    }
    let streams: [Stream]?
    let format: Format?
}
