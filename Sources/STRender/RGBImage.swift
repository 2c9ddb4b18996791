import STCore

/// An 8-bit RGB raster: `width × height` pixels, RGB interleaved, row-major (the pixel in row
/// `y`, column `x` occupies `pixels[3·(y·width + x) ..< 3·(y·width + x) + 3]`), top row first.
///
/// The drawing helpers (`RGBImage+Drawing.swift`) clip to the image; `subscript(x:y:)` does not.
public struct RGBImage: Sendable, Equatable {
    /// Columns.
    public let width: Int
    /// Rows.
    public let height: Int
    /// `3·width·height` bytes, RGB interleaved, row-major.
    public var pixels: [UInt8]

    /// An image of the given size filled with `colour`.
    public init(width: Int, height: Int, colour: RGBColour = .white) {
        precondition(width >= 0 && height >= 0, "negative image size \(width)×\(height)")
        self.width = width
        self.height = height
        var pixels = [UInt8](repeating: 0, count: 3 * width * height)
        for index in stride(from: 0, to: pixels.count, by: 3) {
            pixels[index] = colour.red
            pixels[index + 1] = colour.green
            pixels[index + 2] = colour.blue
        }
        self.pixels = pixels
    }

    /// An image over existing interleaved RGB bytes.
    ///
    /// - Throws: `STError.badInput` when `pixels.count ≠ 3·width·height` or a size is negative.
    public init(width: Int, height: Int, pixels: [UInt8]) throws {
        guard width >= 0, height >= 0 else {
            throw STError.badInput(file: "RGBImage", reason: "negative size \(width)×\(height)")
        }
        guard pixels.count == 3 * width * height else {
            throw STError.badInput(file: "RGBImage", reason: "\(pixels.count) bytes for a \(width)×\(height) RGB image "
                + "(expected \(3 * width * height))")
        }
        self.width = width
        self.height = height
        self.pixels = pixels
    }

    /// Whether `(x, y)` lies inside the image.
    public func contains(x: Int, y: Int) -> Bool {
        x >= 0 && x < width && y >= 0 && y < height
    }

    /// The pixel at column `x`, row `y` (both must be inside the image).
    public subscript(x x: Int, y y: Int) -> RGBColour {
        get {
            precondition(contains(x: x, y: y), "pixel (\(x), \(y)) outside \(width)×\(height)")
            let index = 3 * (y * width + x)
            return RGBColour(pixels[index], pixels[index + 1], pixels[index + 2])
        }
        set {
            precondition(contains(x: x, y: y), "pixel (\(x), \(y)) outside \(width)×\(height)")
            let index = 3 * (y * width + x)
            pixels[index] = newValue.red
            pixels[index + 1] = newValue.green
            pixels[index + 2] = newValue.blue
        }
    }

    /// Sets the pixel at `(x, y)` when it lies inside the image; does nothing otherwise.
    public mutating func setPixelIfInside(x: Int, y: Int, to colour: RGBColour) {
        if contains(x: x, y: y) {
            self[x: x, y: y] = colour
        }
    }

    /// Lays `colour` over the pixel at `(x, y)` with opacity `alpha` (see `RGBColour.blended`);
    /// does nothing outside the image.
    public mutating func blendPixelIfInside(x: Int, y: Int, with colour: RGBColour, alpha: Float) {
        if contains(x: x, y: y) {
            self[x: x, y: y] = colour.blended(over: self[x: x, y: y], alpha: alpha)
        }
    }

    /// `self` laid over `background` with opacity `alpha`: per pixel and channel
    /// `round(α·self + (1 − α)·background)`.
    ///
    /// - Throws: `STError.shapeMismatch` when the two images differ in size.
    public func blended(over background: RGBImage, alpha: Float) throws -> RGBImage {
        guard width == background.width, height == background.height else {
            throw STError.shapeMismatch(node: "RGBImage.blended", expected: [background.height, background.width],
                                 got: [height, width])
        }
        var result = background
        for y in 0..<height {
            for x in 0..<width {
                result[x: x, y: y] = self[x: x, y: y].blended(over: background[x: x, y: y], alpha: alpha)
            }
        }
        return result
    }

    /// Nearest-neighbour upscaling: every pixel becomes a `factor × factor` block
    /// (`factor ≥ 1`), so a 32×32 demo frame at factor 4 is 128×128.
    public func scaled(by factor: Int) -> RGBImage {
        precondition(factor >= 1, "scale factor \(factor) < 1")
        var result = RGBImage(width: width * factor, height: height * factor)
        for y in 0..<result.height {
            for x in 0..<result.width {
                result[x: x, y: y] = self[x: x / factor, y: y / factor]
            }
        }
        return result
    }
}
