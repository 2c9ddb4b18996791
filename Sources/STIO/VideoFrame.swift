import STCore

/// One 8-bit RGB picture: `height` rows of `width` pixels, each pixel three bytes R, G, B,
/// rows top to bottom without padding (`pixels.count == width · height · 3`).
///
/// The frame type `VideoReader.frames` returns and `VideoWriter` takes.
public struct VideoFrame: Sendable, Equatable {
    public let width: Int
    public let height: Int
    /// Interleaved RGB bytes, row-major.
    public let pixels: [UInt8]

    /// - Throws: `STError.invalidRequest` when the size is not positive or `pixels` does not hold
    ///   exactly `width · height · 3` bytes.
    public init(width: Int, height: Int, pixels: [UInt8]) throws {
        guard width > 0, height > 0 else { throw STError.invalidRequest("frame size must be positive, got \(width)×\(height)") }
        guard pixels.count == width * height * 3 else {
            throw STError.invalidRequest("a \(width)×\(height) RGB frame needs \(width * height * 3) bytes, got \(pixels.count)")
        }
        self.width = width
        self.height = height
        self.pixels = pixels
    }

    /// A frame of one colour.
    public init(width: Int, height: Int, red: UInt8, green: UInt8, blue: UInt8) throws {
        try self.init(width: width, height: height,
                      pixels: Array([[UInt8]](repeating: [red, green, blue], count: max(0, width * height)).joined()))
    }

    /// The `(red, green, blue)` bytes of the pixel in column `x`, row `y`.
    public func pixel(x: Int, y: Int) -> (red: UInt8, green: UInt8, blue: UInt8) {
        precondition(x >= 0 && x < width && y >= 0 && y < height, "pixel (\(x), \(y)) outside a \(width)×\(height) frame")
        let offset = (y * width + x) * 3
        return (pixels[offset], pixels[offset + 1], pixels[offset + 2])
    }
}
