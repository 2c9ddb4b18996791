import STCore

/// Figures of one clip and its maps: rows of frames side by side, each row a map laid over the
/// frames (or the frames themselves), with the row's name at its left — seed 002's Figure 2 is
/// the rows "original", "spatial", "temporal" in red (+) / white / blue (−).
public enum ClipFigure {
    /// One row of the figure: a name and, per frame, a map at the frame's resolution (row-major
    /// H × W), or no maps for the input frames themselves.
    public struct Row: Sendable {
        public var name: String
        public var maps: [[Float]]?
        /// Signed maps are drawn on their own in red–white–blue (seed 002), scaled so the 99th
        /// percentile of |v| over the row is full colour (a few extreme pixels would otherwise
        /// wash out the rest); the others in jet over the frames, min–max normalised over the row.
        public var signed: Bool

        public init(name: String, maps: [[Float]]? = nil, signed: Bool = false) {
            self.name = name
            self.maps = maps
            self.signed = signed
        }
    }

    /// The frames of sample `sample` of an (N, C, T, H, W) clip (C = 3 or 1) for display: each
    /// channel min–max scaled over the whole clip to [0, 255], since a `.npy` input does not say
    /// how it was normalised.
    public static func displayFrames(_ clip: Tensor, sample: Int = 0) throws -> [RGBImage] {
        guard clip.rank == 5, clip.shape[1] == 1 || clip.shape[1] == 3, (0..<clip.shape[0]).contains(sample) else {
            throw STError.badInput(file: "clip", reason: "expected sample \(sample) of an (N, 3, T, H, W) clip, got \(clip.shape)")
        }
        let (channels, frames, height, width) = (clip.shape[1], clip.shape[2], clip.shape[3], clip.shape[4])
        let values = clip.plain().scalars
        let planeSize = frames * height * width
        // Overlay.frame maps x to x·std + mean; with std = 1/(h − l) and mean = −l/(h − l) that is
        // (x − l)/(h − l). A constant channel shows mid-grey.
        var mean: [Float] = [], std: [Float] = []
        for c in 0..<channels {
            let start = (sample * channels + c) * planeSize
            let plane = values[start..<(start + planeSize)]
            let (low, high) = (plane.min() ?? 0, plane.max() ?? 0)
            mean.append(high > low ? -low / (high - low) : 0.5)
            std.append(high > low ? 1 / (high - low) : 0)
        }
        return try (0..<frames).map { t in
            try Overlay.frame(fromNormalisedClip: clip, sample: sample, time: t, mean: mean, std: std)
        }
    }

    /// The rows stacked: every frame scaled by `scale` (nearest neighbour), maps laid over the
    /// frames with `alpha`, a label column at the left.
    public static func render(frames: [RGBImage], rows: [Row], scale: Int = 1, alpha: Float = 0.6) throws -> RGBImage {
        render(try rows.map { (name: $0.name, cells: try cells(frames: frames, row: $0, alpha: alpha)) }, scale: scale)
    }

    /// Rows of ready cells stacked, each scaled by `scale` with its name at the left.
    public static func render(_ rows: [(name: String, cells: [RGBImage])], scale: Int = 1) -> RGBImage {
        let fontScale = max(1, min(3, rows.first?.cells.first.map { $0.height * scale / 40 } ?? 1))
        let labelWidth = (rows.map { BitmapFont.textWidth($0.name, scale: fontScale) }.max() ?? 0) + 8 * fontScale
        let images = rows.map { row -> RGBImage in
            let strip = RGBImage.horizontallyConcatenated(row.cells.map { $0.scaled(by: scale) }, spacing: 2)
            var labelled = RGBImage(width: labelWidth + strip.width, height: strip.height)
            labelled.drawText(row.name, at: (x: 4 * fontScale, y: (strip.height - BitmapFont.textHeight(scale: fontScale)) / 2),
                              colour: .black, scale: fontScale)
            labelled.paste(strip, x: labelWidth, y: 0)
            return labelled
        }
        return RGBImage.verticallyConcatenated(images, spacing: 4)
    }

    /// The row's frames: each map drawn over (or, signed, instead of) its frame, with one
    /// normalisation over the whole row so frames compare.
    public static func cells(frames: [RGBImage], row: Row, alpha: Float = 0.6) throws -> [RGBImage] {
        guard let maps = row.maps else { return frames }
        guard maps.count == frames.count else {
            throw STError.badInput(file: "figure", reason: "row '\(row.name)' has \(maps.count) maps for \(frames.count) frames")
        }
        let flat = maps.flatMap { $0 }
        let normalised = row.signed ? signedDisplayValues(flat) : Colormap.normalisedMinMax(flat)
        let size = maps.first?.count ?? 0
        return try frames.enumerated().map { t, frame in
            let map = Array(normalised[(t * size)..<((t + 1) * size)])
            return row.signed
                ? try Overlay.heatmap(map, width: frame.width, height: frame.height, colormap: .redWhiteBlue)
                : try Overlay.overlay(frame: frame, map: map, colormap: .jet, alpha: alpha)
        }
    }

    /// v / q₉₉(|v|), clamped to [−1, 1]; zeros when every value is 0.
    public static func signedDisplayValues(_ values: [Float]) -> [Float] {
        let magnitudes = values.filter(\.isFinite).map(abs).sorted()
        guard let scale = magnitudes.last.map({ _ in magnitudes[Int(Double(magnitudes.count - 1) * 0.99)] }),
              scale > 0 else { return Colormap.normalisedSymmetric(values) }
        return values.map { $0.isFinite ? min(max($0 / scale, -1), 1) : 0 }
    }
}
