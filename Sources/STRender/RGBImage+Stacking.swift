/// Side-by-side and stacked layouts of several images, for figures such as "original | map" and
/// one row per method.
extension RGBImage {
    /// The images placed left to right, top-aligned, `spacing` pixels apart; the space around
    /// shorter images and between images is filled with `padding`.
    /// Width `Σ wᵢ + spacing·(n − 1)`, height `max hᵢ`; no images give a 0×0 image.
    public static func horizontallyConcatenated(_ images: [RGBImage], spacing: Int = 0,
                                                padding: RGBColour = .white) -> RGBImage {
        guard !images.isEmpty else { return RGBImage(width: 0, height: 0) }
        let width = images.reduce(0) { $0 + $1.width } + spacing * (images.count - 1)
        let height = images.map(\.height).max() ?? 0
        var result = RGBImage(width: width, height: height, colour: padding)
        var left = 0
        for image in images {
            result.paste(image, x: left, y: 0)
            left += image.width + spacing
        }
        return result
    }

    /// The images placed top to bottom, left-aligned, `spacing` pixels apart; the space beside
    /// narrower images and between images is filled with `padding`.
    /// Width `max wᵢ`, height `Σ hᵢ + spacing·(n − 1)`; no images give a 0×0 image.
    public static func verticallyConcatenated(_ images: [RGBImage], spacing: Int = 0,
                                              padding: RGBColour = .white) -> RGBImage {
        guard !images.isEmpty else { return RGBImage(width: 0, height: 0) }
        let width = images.map(\.width).max() ?? 0
        let height = images.reduce(0) { $0 + $1.height } + spacing * (images.count - 1)
        var result = RGBImage(width: width, height: height, colour: padding)
        var top = 0
        for image in images {
            result.paste(image, x: 0, y: top)
            top += image.height + spacing
        }
        return result
    }

    /// Copies `image` into `self` with its top-left corner at `(x, y)`, clipping to `self`.
    public mutating func paste(_ image: RGBImage, x: Int, y: Int) {
        for row in 0..<image.height {
            for column in 0..<image.width {
                setPixelIfInside(x: x + column, y: y + row, to: image[x: column, y: row])
            }
        }
    }
}
