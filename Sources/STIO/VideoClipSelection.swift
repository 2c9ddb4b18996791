import Foundation
import STCore

/// Which frames of a video `VideoReader` decodes: from `startSeconds` on, sampled by
/// `sampling`, at most `frameCount` of them.
///
/// ```swift
/// // 16 frames, every 2nd decoded frame, from 1.5 s on:
/// ClipSelection(startSeconds: 1.5, frameCount: 16, sampling: .stride(2))
/// // 16 frames resampled to 8 frames per second:
/// ClipSelection(frameCount: 16, sampling: .framesPerSecond(8))
/// ```
public struct ClipSelection: Sendable, Equatable {
    /// How the frames after the start are thinned out.
    public enum Sampling: Sendable, Equatable {
        /// Every `n`-th decoded frame, beginning with the first at the start (`1` keeps all):
        /// ffmpeg's `select=not(mod(n,stride))`.
        case stride(Int)
        /// Resampled to this constant rate by ffmpeg's `fps` filter, which keeps the frame
        /// nearest each tick 0, 1/rate, 2/rate, … s after the start (dropping or repeating frames).
        case framesPerSecond(Double)
    }

    /// Where decoding starts, in seconds from the beginning of the stream (frame-accurate:
    /// ffmpeg decodes from the key frame before and discards frames before the start).
    public var startSeconds: Double
    /// The most frames to keep after sampling; `nil` keeps every frame up to the end.
    public var frameCount: Int?
    /// How frames are thinned out after the start.
    public var sampling: Sampling

    public init(startSeconds: Double = 0, frameCount: Int? = nil, sampling: Sampling = .stride(1)) {
        self.startSeconds = startSeconds
        self.frameCount = frameCount
        self.sampling = sampling
    }

    /// The selection in ffmpeg terms: the options before `-i` (the seek), the sampling filter
    /// (`nil` when every frame is kept) and the options limiting the output frame count.
    ///
    /// - Throws: `STError.invalidRequest` for a negative or non-finite start, a frame count
    ///   below 1, a stride below 1, or a rate that is not positive.
    func ffmpegTerms() throws -> (seek: [String], filter: String?, limit: [String]) {
        guard startSeconds.isFinite, startSeconds >= 0 else {
            throw STError.invalidRequest("clip start must be a non-negative number of seconds, got \(startSeconds)")
        }
        if let frameCount, frameCount < 1 {
            throw STError.invalidRequest("clip frame count must be at least 1, got \(frameCount)")
        }
        let filter: String?
        switch sampling {
        case .stride(let stride):
            guard stride >= 1 else { throw STError.invalidRequest("frame stride must be at least 1, got \(stride)") }
            filter = stride == 1 ? nil : "select=not(mod(n\\,\(stride)))"
        case .framesPerSecond(let rate):
            guard rate.isFinite, rate > 0 else {
                throw STError.invalidRequest("target frame rate must be positive, got \(rate)")
            }
            filter = "fps=fps=\(FFmpegTools.decimal(rate))"
        }
        return (seek: startSeconds > 0 ? ["-ss", FFmpegTools.decimal(startSeconds)] : [],
                filter: filter,
                limit: frameCount.map { ["-frames:v", String($0)] } ?? [])
    }
}
