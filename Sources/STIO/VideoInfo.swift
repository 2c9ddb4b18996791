/// What `VideoProbe` found out about the first video stream of a file.
public struct VideoInfo: Sendable, Equatable {
    /// Width of the decoded frames in pixels, as displayed: a stream stored sideways with a
    /// ±90° rotation tag reports its stored height here, because ffmpeg rotates while decoding.
    public let width: Int
    /// Height of the decoded frames in pixels, as displayed (see `width`).
    public let height: Int
    /// Frames per second: the stream's average frame rate, else its base rate (`r_frame_rate`).
    public let framesPerSecond: Double
    /// Duration of the stream in seconds, else of the container; 0 when neither is known.
    public let durationSeconds: Double
    /// The stream's frame count when the container records it (`nb_frames`, e.g. MP4), else
    /// `durationSeconds · framesPerSecond` rounded; an estimate either way (edit lists and
    /// variable frame rates make the decoded count differ by a few).
    public let estimatedFrameCount: Int
    /// The rotation tag in degrees (0 when absent), as ffprobe reports it.
    public let rotationDegrees: Int
    /// ffmpeg's name of the codec (`h264`, `mpeg4`, `vp9`, …).
    public let codec: String

    public init(width: Int, height: Int, framesPerSecond: Double, durationSeconds: Double,
                estimatedFrameCount: Int, rotationDegrees: Int, codec: String) {
        self.width = width
        self.height = height
        self.framesPerSecond = framesPerSecond
        self.durationSeconds = durationSeconds
        self.estimatedFrameCount = estimatedFrameCount
        self.rotationDegrees = rotationDegrees
        self.codec = codec
    }
}
