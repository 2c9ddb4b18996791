/// A built-in 5×7 pixel font for labels burnt into raster figures — `ClipFigure`'s row names and
/// the joint names of the joint × time picture, which are promised as PNG files — covering
/// printable ASCII (32 … 126); any other character is drawn as `?`. Charts are SVG documents
/// and set their text in real fonts instead. Glyphs advance 6 pixels (5 + 1 spacing) and
/// lines are 7 pixels tall, all multiplied by `scale`.
public enum BitmapFont {
    /// Glyph width in pixels at scale 1.
    public static let glyphWidth = 5
    /// Glyph height in pixels at scale 1.
    public static let glyphHeight = 7
    /// Horizontal advance per character at scale 1 (glyph width plus one blank column).
    public static let advance = 6

    /// Width in pixels of `text` drawn at `scale`: `(6·n − 1)·scale` for n characters (the last
    /// glyph has no trailing blank column), 0 for an empty string.
    public static func textWidth(_ text: String, scale: Int = 1) -> Int {
        let count = text.count
        return count == 0 ? 0 : (advance * count - 1) * scale
    }

    /// Height in pixels of a line drawn at `scale`: `7·scale`.
    public static func textHeight(scale: Int = 1) -> Int {
        glyphHeight * scale
    }

    /// The 7 row bitmaps of `character` (bit 4 leftmost); `?` for characters outside ASCII 32 … 126.
    static func glyph(for character: Character) -> [UInt8] {
        guard let ascii = character.asciiValue, (32...126).contains(ascii) else {
            return glyphs[Int(UInt8(ascii: "?") - 32)]
        }
        return glyphs[Int(ascii - 32)]
    }
}

extension RGBImage {
    /// Draws `text` in the built-in 5×7 font with its top-left corner at `origin`, every font
    /// pixel as a `scale × scale` block; clipped to the image.
    public mutating func drawText(_ text: String, at origin: (x: Int, y: Int), colour: RGBColour, scale: Int = 1) {
        for (index, character) in text.enumerated() {
            let rows = BitmapFont.glyph(for: character)
            for (row, bits) in rows.enumerated() {
                for column in 0..<BitmapFont.glyphWidth where bits & (0x10 >> UInt8(column)) != 0 {
                    fillRectangle(x: origin.x + (index * BitmapFont.advance + column) * scale, y: origin.y + row * scale,
                                  width: scale, height: scale, colour: colour)
                }
            }
        }
    }
}
