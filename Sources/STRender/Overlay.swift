import STCore

/// Heat maps on video frames: colour a map, lay it over a frame, and turn normalised network
/// inputs back into viewable frames. Maps come at the frame's resolution (upsampling belongs to
/// the explainer) and already normalised for display (`Colormap.normalisedMinMax` per clip, or
/// `normalisedSymmetric` for signed maps); values outside the colormap's domain are clamped.
public enum Overlay {
    /// The map's colours laid over `frame`: per pixel and channel
    /// `round(α·colormap(map[y·W + x]) + (1 − α)·frame[x, y])`.
    ///
    /// - Parameter map: `frame.height × frame.width` values, row-major.
    /// - Throws: `STError.badInput` when `map.count ≠ frame.width·frame.height`.
    public static func overlay(frame: RGBImage, map: [Float], colormap: Colormap = .jet,
                               alpha: Float = 0.5) throws -> RGBImage {
        try heatmap(map, width: frame.width, height: frame.height, colormap: colormap)
            .blended(over: frame, alpha: alpha)
    }

    /// The map drawn with `colormap`: pixel `(x, y)` is `colormap(map[y·width + x])`.
    ///
    /// - Throws: `STError.badInput` when `map.count ≠ width·height`.
    public static func heatmap(_ map: [Float], width: Int, height: Int, colormap: Colormap = .jet) throws -> RGBImage {
        guard width >= 0, height >= 0, map.count == width * height else {
            throw STError.badInput(file: "map", reason: "\(map.count) values for a \(width)×\(height) image")
        }
        var image = RGBImage(width: width, height: height)
        for (index, value) in map.enumerated() {
            image[x: index % width, y: index / width] = colormap.colour(at: value)
        }
        return image
    }

    /// The map as a grayscale image: black at 0, white at 1 (`heatmap` with `Colormap.gray`).
    ///
    /// - Throws: `STError.badInput` when `map.count ≠ width·height`.
    public static func grayscale(_ map: [Float], width: Int, height: Int) throws -> RGBImage {
        try heatmap(map, width: width, height: height, colormap: .gray)
    }

    /// Undoes input normalisation for one frame: a `(C, H, W)` tensor with C = 3 (RGB) or 1
    /// (grey, repeated into R, G and B) becomes pixel values `round(255·clamp(x·std_c + mean_c, 0, 1))`.
    ///
    /// - Throws: `STError.badInput` when the tensor is not `(1 or 3, H, W)` or `mean`/`std` do not
    ///   have one entry per channel.
    public static func frame(fromNormalised tensor: Tensor, mean: [Float], std: [Float]) throws -> RGBImage {
        guard tensor.rank == 3, tensor.shape[0] == 1 || tensor.shape[0] == 3 else {
            throw STError.badInput(file: "frame", reason: "expected a (3, H, W) or (1, H, W) tensor, got \(tensor.shape)")
        }
        return try tensor.withUnsafeBufferPointer { values in
            try frame(values: values, offset: 0, channelStride: tensor.shape[1] * tensor.shape[2],
                      channels: tensor.shape[0], height: tensor.shape[1], width: tensor.shape[2],
                      mean: mean, std: std)
        }
    }

    /// Undoes input normalisation for frame `time` of sample `sample` in an `(N, C, T, H, W)`
    /// video batch (C = 3 or 1); see `frame(fromNormalised:mean:std:)`.
    ///
    /// - Throws: `STError.badInput` when the tensor is not `(N, 1 or 3, T, H, W)`, `sample` or
    ///   `time` is out of range, or `mean`/`std` do not have one entry per channel.
    public static func frame(fromNormalisedClip clip: Tensor, sample: Int = 0, time: Int,
                             mean: [Float], std: [Float]) throws -> RGBImage {
        guard clip.rank == 5, clip.shape[1] == 1 || clip.shape[1] == 3 else {
            throw STError.badInput(file: "clip", reason: "expected an (N, 3, T, H, W) or (N, 1, T, H, W) tensor, "
                + "got \(clip.shape)")
        }
        let (count, channels, length, height, width) = (clip.shape[0], clip.shape[1], clip.shape[2],
                                                        clip.shape[3], clip.shape[4])
        guard (0..<count).contains(sample), (0..<length).contains(time) else {
            throw STError.badInput(file: "clip", reason: "frame (sample \(sample), time \(time)) outside \(clip.shape)")
        }
        let plane = height * width
        return try clip.withUnsafeBufferPointer { values in
            try frame(values: values, offset: (sample * channels * length + time) * plane,
                      channelStride: length * plane, channels: channels, height: height, width: width,
                      mean: mean, std: std)
        }
    }

    /// Reads channel c's plane at `offset + c·channelStride` (row-major H × W) and denormalises it.
    private static func frame(values: UnsafeBufferPointer<Float>, offset: Int, channelStride: Int, channels: Int,
                              height: Int, width: Int, mean: [Float], std: [Float]) throws -> RGBImage {
        guard mean.count == channels, std.count == channels else {
            throw STError.badInput(file: "mean/std", reason: "\(mean.count) means and \(std.count) standard "
                + "deviations for \(channels) channels")
        }
        // Channel c of the output reads input channel min(c, C − 1): grey inputs fill R, G and B.
        func unit(_ channel: Int, _ pixel: Int) -> Float {
            let c = min(channel, channels - 1)
            return values[offset + c * channelStride + pixel] * std[c] + mean[c]
        }
        var image = RGBImage(width: width, height: height)
        for y in 0..<height {
            for x in 0..<width {
                let pixel = y * width + x
                image[x: x, y: y] = RGBColour(unitRed: unit(0, pixel), green: unit(1, pixel), blue: unit(2, pixel))
            }
        }
        return image
    }
}
