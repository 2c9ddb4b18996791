import STCore

/// How decoded frames become a model's input: a resize and a centre crop (done by ffmpeg while
/// decoding), a channel order, and a per-channel normalisation
/// `x = (byte · pixelScale − mean[c]) / std[c]` (done when the tensor is built).
///
/// Presets:
/// - `kinetics` — torchvision's video classification preset, the one its Kinetics-400 weights
///   for `r3d_18`, `mc3_18` and `r2plus1d_18` declare (`torchvision/transforms/_presets.py`,
///   `VideoClassification(crop_size=(112, 112), resize_size=(128, 171))`): bilinear resize to
///   exactly 128×171 (height × width, whatever the aspect ratio), centre crop 112×112, RGB in
///   [0, 1], mean (0.43216, 0.394666, 0.37645), std (0.22803, 0.22145, 0.216989).
/// - `c3d` — the C3D Sports-1M preprocessing (Tran et al., ICCV 2015, "Learning Spatiotemporal
///   Features with 3D Convolutional Networks", §3: frames resized to 128×171, 112×112 crops;
///   facebook/C3D is Caffe, so channels are BGR in 0–255): resize to 128×171, centre crop
///   112×112, BGR order, subtract the per-channel means B 90.25, G 97.66, R 101.41 (the
///   channel averages of C3D's per-pixel mean volume `sport1m_train16_128_mean.binaryproto`,
///   as used by the PyTorch ports of the Sports-1M weights, e.g. feature extractors built on
///   DavideA/c3d-pytorch), no division (std 1).
/// - `none` — no resize or crop, RGB in [0, 1].
/// - anything else through `init`, e.g. 224×224 with ImageNet statistics:
///   `VideoPreprocessing(resize: .exact(.init(width: 224, height: 224)), mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225])`.
///
/// Resize and crop follow torchvision's arithmetic: `shortSide(s)` makes the short side `s` and
/// the long side `⌊s · long / short⌋`; the crop's offsets are `round((size − crop) / 2)`
/// (half to even). ffmpeg's bilinear scaler filters over the source pixels a downscale covers,
/// like torchvision with `antialias=True`, so values agree closely but not bit for bit.
public struct VideoPreprocessing: Sendable, Equatable {
    /// A frame size in pixels.
    public struct Size: Sendable, Equatable {
        public var width: Int
        public var height: Int

        public init(width: Int, height: Int) {
            self.width = width
            self.height = height
        }
    }

    /// How frames are resized before the crop.
    public enum Resize: Sendable, Equatable {
        /// Keep the decoded size.
        case none
        /// Scale to exactly this size (the aspect ratio may change).
        case exact(Size)
        /// Scale so the shorter side has this length, keeping the aspect ratio.
        case shortSide(Int)
    }

    /// The order of the three channels in the tensor.
    public enum ChannelOrder: Sendable, Equatable {
        case rgb
        case bgr
    }

    public var resize: Resize
    /// The centre crop taken after the resize; `nil` keeps the whole frame.
    public var centerCrop: Size?
    public var channelOrder: ChannelOrder
    /// The factor turning a byte 0…255 into the units of `mean` and `std` (1/255 for [0, 1]).
    public var pixelScale: Float
    /// Three per-channel means, in `channelOrder` and in the scaled units.
    public var mean: [Float]
    /// Three per-channel standard deviations, in `channelOrder` and in the scaled units.
    public var std: [Float]

    public init(resize: Resize = .none, centerCrop: Size? = nil, channelOrder: ChannelOrder = .rgb,
                pixelScale: Float = 1 / 255, mean: [Float] = [0, 0, 0], std: [Float] = [1, 1, 1]) {
        self.resize = resize
        self.centerCrop = centerCrop
        self.channelOrder = channelOrder
        self.pixelScale = pixelScale
        self.mean = mean
        self.std = std
    }

    /// torchvision's Kinetics-400 video preset (see the type's description): (1, 3, T, 112, 112).
    public static let kinetics = VideoPreprocessing(
        resize: .exact(Size(width: 171, height: 128)), centerCrop: Size(width: 112, height: 112),
        mean: [0.43216, 0.394666, 0.37645], std: [0.22803, 0.22145, 0.216989])

    /// The C3D Sports-1M preset (see the type's description): (1, 3, T, 112, 112), BGR, 0–255 minus means.
    public static let c3d = VideoPreprocessing(
        resize: .exact(Size(width: 171, height: 128)), centerCrop: Size(width: 112, height: 112),
        channelOrder: .bgr, pixelScale: 1, mean: [90.25, 97.66, 101.41], std: [1, 1, 1])

    /// The decoded frames unchanged, RGB scaled to [0, 1].
    public static let none = VideoPreprocessing()

    /// Whether the output size depends on the source's (no resize, or a short-side resize).
    var needsSourceSize: Bool {
        if case .exact = resize { return false }
        return true
    }

    /// Where the resize and crop put a `sourceWidth`×`sourceHeight` frame.
    ///
    /// - Throws: `STError.invalidRequest` when a size is not positive, the crop is larger than
    ///   the resized frame, or `mean`/`std` do not hold three values (`std` non-zero).
    func geometry(sourceWidth: Int, sourceHeight: Int) throws -> FrameGeometry {
        guard mean.count == 3, std.count == 3, std.allSatisfy({ $0 != 0 && $0.isFinite }), mean.allSatisfy(\.isFinite) else {
            throw STError.invalidRequest("preprocessing needs three finite means and three non-zero standard deviations")
        }
        let scaled: Size
        switch resize {
        case .none:
            scaled = Size(width: sourceWidth, height: sourceHeight)
        case .exact(let size):
            scaled = size
        case .shortSide(let short):
            guard short > 0 else { throw STError.invalidRequest("resize short side must be positive, got \(short)") }
            scaled = sourceWidth <= sourceHeight
                ? Size(width: short, height: short * sourceHeight / sourceWidth)
                : Size(width: short * sourceWidth / sourceHeight, height: short)
        }
        guard scaled.width > 0, scaled.height > 0 else {
            throw STError.invalidRequest("resize size must be positive, got \(scaled.width)×\(scaled.height)")
        }
        guard let crop = centerCrop else {
            return FrameGeometry(scaled: resize == .none ? nil : scaled, crop: nil, output: scaled)
        }
        guard crop.width > 0, crop.height > 0, crop.width <= scaled.width, crop.height <= scaled.height else {
            throw STError.invalidRequest("centre crop \(crop.width)×\(crop.height) does not fit the resized frame \(scaled.width)×\(scaled.height)")
        }
        let left = Int((Double(scaled.width - crop.width) / 2).rounded(.toNearestOrEven))
        let top = Int((Double(scaled.height - crop.height) / 2).rounded(.toNearestOrEven))
        return FrameGeometry(scaled: resize == .none ? nil : scaled, crop: (left, top, crop), output: crop)
    }

    /// `frames` as a tensor (N, 3, length, H, W): window `n` holds frames `windowStarts[n] ..<
    /// windowStarts[n] + length`, an index past the last frame repeating the last frame;
    /// channels in `channelOrder`, each value `(byte · pixelScale − mean[c]) / std[c]`.
    func tensor(of frames: [VideoFrame], windowStarts: [Int], length: Int) -> Tensor {
        precondition(!frames.isEmpty && length > 0, "no frames to pack")
        let width = frames[0].width, height = frames[0].height, plane = width * height
        let sourceChannel = channelOrder == .rgb ? [0, 1, 2] : [2, 1, 0]
        let scale = (0..<3).map { pixelScale / std[$0] }
        let offset = (0..<3).map { -mean[$0] / std[$0] }
        var scalars = [Float](repeating: 0, count: windowStarts.count * 3 * length * plane)
        scalars.withUnsafeMutableBufferPointer { output in
            for (window, start) in windowStarts.enumerated() {
                for time in 0..<length {
                    let pixels = frames[min(start + time, frames.count - 1)].pixels
                    for channel in 0..<3 {
                        let base = ((window * 3 + channel) * length + time) * plane
                        let source = sourceChannel[channel]
                        for index in 0..<plane {
                            output[base + index] = Float(pixels[index * 3 + source]) * scale[channel] + offset[channel]
                        }
                    }
                }
            }
        }
        return Tensor(shape: [windowStarts.count, 3, length, height, width], scalars: scalars)
    }
}

/// The resize and crop `VideoPreprocessing` asks of ffmpeg for one source size.
struct FrameGeometry {
    /// The size to scale to; `nil` when the frame keeps its size.
    let scaled: VideoPreprocessing.Size?
    /// The crop's left and top offsets and size; `nil` for no crop.
    let crop: (left: Int, top: Int, size: VideoPreprocessing.Size)?
    /// The size of the frames ffmpeg returns.
    let output: VideoPreprocessing.Size

    /// The ffmpeg filters (in order, for `-vf`) that produce `output`-sized RGB frames. The
    /// conversion to rgb24 comes before the crop, so the crop is never rounded to a chroma
    /// sample grid (cropping 4:2:0 video moves odd offsets to even ones).
    var filters: [String] {
        var filters: [String] = []
        if let scaled { filters.append("scale=\(scaled.width):\(scaled.height):flags=bilinear") }
        filters.append("format=rgb24")
        if let crop { filters.append("crop=\(crop.size.width):\(crop.size.height):\(crop.left):\(crop.top)") }
        return filters
    }
}
