import STCore

/// Decoded, preprocessed video ready for a model: one clip (`VideoReader.read`) or a batch of
/// sliding windows (`VideoReader.readWindows`).
public struct VideoClip: Sendable {
    /// The frames as a tensor (N, 3, T, H, W) — N = 1 for a single clip — normalised as the
    /// `VideoPreprocessing` said.
    public let tensor: Tensor
    /// The first frame of each window, as an index into the decoded (sampled) frame sequence;
    /// `[0]` for a single clip.
    public let windowStarts: [Int]
    /// How many frames were actually decoded. When fewer than the clip needs (a clip asked for
    /// 16 frames of a 1 s video at 10 fps), the missing frames at the end of the time axis
    /// repeat the last decoded frame: the first `min(decodedFrameCount, T)` frames of the
    /// first window are real, the rest padding.
    public let decodedFrameCount: Int
    /// What `VideoProbe` found about the source; nil when the preprocessing's fixed output size
    /// made probing unnecessary (`VideoProbe.probe` tells on demand).
    public let info: VideoInfo?

    public init(tensor: Tensor, windowStarts: [Int], decodedFrameCount: Int, info: VideoInfo?) {
        self.tensor = tensor
        self.windowStarts = windowStarts
        self.decodedFrameCount = decodedFrameCount
        self.info = info
    }

    /// Whether padding frames were added (fewer frames decoded than the first window needs).
    public var isPadded: Bool { decodedFrameCount < tensor.shape[2] }
}
