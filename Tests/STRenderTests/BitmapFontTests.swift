import Testing
@testable import STRender

@Suite struct BitmapFontTests {
    @Test func textWidthCountsAdvancesWithoutTheLastGap() {
        // n characters: 6n − 1 pixels at scale 1. "Hi" → 11, at scale 2 → 22.
        #expect(BitmapFont.textWidth("Hi") == 11)
        #expect(BitmapFont.textWidth("Hi", scale: 2) == 22)
        #expect(BitmapFont.textWidth("") == 0)
        #expect(BitmapFont.textHeight(scale: 3) == 21)
    }

    @Test func everyPrintableCharacterHasAGlyph() {
        #expect(BitmapFont.glyphs.count == 95)
        #expect(BitmapFont.glyphs.allSatisfy { $0.count == 7 && $0.allSatisfy { $0 < 32 } })
        // Space is blank; every other printable character sets at least one pixel.
        #expect(BitmapFont.glyph(for: " ").allSatisfy { $0 == 0 })
        #expect(BitmapFont.glyphs.dropFirst().allSatisfy { $0.contains { $0 != 0 } })
        // Characters outside ASCII 32…126 fall back to '?'.
        #expect(BitmapFont.glyph(for: "é") == BitmapFont.glyph(for: "?"))
    }

    @Test func drawingCapitalIInksElevenPixels() {
        // 'I' = .###. / ..#.. ×5 / .###.: 3 + 5 + 3 = 11 pixels.
        var image = RGBImage(width: 5, height: 7)
        image.drawText("I", at: (0, 0), colour: .black)
        let inked = image.pixels.enumerated().filter { $0.offset % 3 == 0 && $0.element == 0 }.count
        #expect(inked == 11)
        #expect(image[x: 2, y: 3] == .black && image[x: 0, y: 3] == .white && image[x: 1, y: 0] == .black)
    }

    @Test func scaleTurnsPixelsIntoBlocks() {
        var image = RGBImage(width: 10, height: 14)
        image.drawText("I", at: (0, 0), colour: .black, scale: 2)
        let inked = image.pixels.enumerated().filter { $0.offset % 3 == 0 && $0.element == 0 }.count
        #expect(inked == 44)  // 11 font pixels × 2×2
    }
}
