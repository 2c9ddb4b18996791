import Foundation
import Testing
import STCore
@testable import STRender

@Suite struct PNGEncoderTests {
    /// 2×2: red, green / blue, white.
    let twoByTwo: RGBImage = {
        var image = RGBImage(width: 2, height: 2)
        image[x: 0, y: 0] = .red
        image[x: 1, y: 0] = .green
        image[x: 0, y: 1] = .blue
        return image
    }()

    @Test func storedTwoByTwoHasTheExpectedChunkLayout() throws {
        let file = [UInt8](PNGEncoder.encode(twoByTwo, compression: .stored))
        // Scanlines: 2 rows × (1 filter byte + 2·3 bytes) = 14 bytes. IDAT = zlib header 2 + stored
        // block header 5 (BFINAL/BTYPE byte, LEN, NLEN) + 14 + Adler-32 4 = 25 bytes.
        // File = signature 8 + IHDR (12 + 13) + IDAT (12 + 25) + IEND (12 + 0) = 82 bytes.
        #expect(file.count == 82)
        #expect(Array(file.prefix(8)) == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
        let chunks = try PNGReading.chunks(file)
        #expect(chunks.map(\.type) == ["IHDR", "IDAT", "IEND"])
        #expect(chunks.map(\.data.count) == [13, 25, 0])
        for chunk in chunks {
            #expect(chunk.storedCRC == chunk.computedCRC, "\(chunk.type)")
        }
        // IEND's CRC is the same in every PNG file: CRC-32 of "IEND" = 0xAE426082.
        #expect(chunks[2].storedCRC == 0xAE42_6082)
        // IHDR: width 2, height 2, bit depth 8, colour type 2 (RGB), deflate, filter 0, no interlace.
        #expect(chunks[0].data == [0, 0, 0, 2, 0, 0, 0, 2, 8, 2, 0, 0, 0])

        let zlib = chunks[1].data
        // CMF 0x78 = deflate with a 32 KiB window; (0x78·256 + FLG) must be a multiple of 31.
        #expect(zlib[0] == 0x78)
        #expect((Int(zlib[0]) * 256 + Int(zlib[1])) % 31 == 0)
        // One final stored block: header byte 1 (BFINAL = 1, BTYPE = 00), LEN = 14, NLEN = ~14.
        #expect(Array(zlib[2..<7]) == [0x01, 14, 0, 0xF1, 0xFF])
        let scanlines: [UInt8] = [0, 255, 0, 0, 0, 255, 0,
                                  0, 0, 0, 255, 255, 255, 255]
        #expect(Array(zlib[7..<21]) == scanlines)
        #expect(PNGReading.bigEndian(zlib, at: 21) == Checksums.adler32(scanlines))
    }

    @Test func storedBlocksHoldAtMost65535Bytes() throws {
        // 300×250 RGB: 250 rows × (1 + 900) = 225 250 scanline bytes = 3·65535 + 28 645 → four blocks.
        var image = RGBImage(width: 300, height: 250)
        for y in 0..<250 { for x in 0..<300 { image[x: x, y: y] = RGBColour(UInt8(x % 256), UInt8(y), 7) } }
        let chunks = try PNGReading.chunks([UInt8](image.pngData(compression: .stored)))
        let zlib = chunks[1].data
        let (scanlines, blocks) = try PNGReading.inflate(Array(zlib[2..<(zlib.count - 4)]))
        #expect(blocks == [65535, 65535, 65535, 28645])
        #expect(try PNGReading.unfilter(scanlines, width: 300, height: 250, channels: 3) == image.pixels)
    }

    @Test func compressedImagesDecodeToTheSamePixels() throws {
        var gradient = RGBImage(width: 64, height: 48)
        for y in 0..<48 { for x in 0..<64 { gradient[x: x, y: y] = RGBColour(UInt8(4 * x), UInt8(5 * y), 128) } }
        var generator = SeededGenerator(seed: 5)
        let noise = try RGBImage(width: 17, height: 9,
                                 pixels: (0..<(17 * 9 * 3)).map { _ in UInt8(truncatingIfNeeded: generator.next()) })
        for image in [twoByTwo, gradient, noise, RGBImage(width: 0, height: 0), RGBImage(width: 120, height: 80)] {
            let decoded = try PNGReading.decode([UInt8](image.pngData()))
            #expect(decoded.width == image.width && decoded.height == image.height && decoded.channels == 3)
            #expect(decoded.pixels == image.pixels)
        }
    }

    @Test func compressionShrinksFlatImages() throws {
        // 120×80 white: 80·(1 + 360) = 28 880 scanline bytes, nearly all repeats.
        let flat = RGBImage(width: 120, height: 80)
        #expect(flat.pngData().count < 1000)
        #expect(flat.pngData(compression: .stored).count > 28_880)
    }

    @Test func rgbaUsesColourType6() throws {
        let rgba: [UInt8] = [255, 0, 0, 255, 0, 0, 255, 128]
        let decoded = try PNGReading.decode([UInt8](PNGEncoder.encode(rgba: rgba, width: 2, height: 1)))
        #expect(decoded.channels == 4)
        #expect(decoded.pixels == rgba)
        #expect(throws: STError.self) { try PNGEncoder.encode(rgba: rgba, width: 3, height: 1) }
    }

    @Test func fixedHuffmanCodeOfASingleLiteral() {
        // BFINAL 1, BTYPE 01 (written LSB first: 1, 1, 0), 'a' = 97 → code 0x30 + 97 = 10010001
        // (8 bits, MSB first), end of block 256 → 0000000. Bit stream 110 10010001 0000000 packed
        // LSB first (bits b0…b7 of each byte): 1101 0010 → 0x4B, 0010 0000 → 0x04, 00 → 0x00 (zlib's output for "a" too).
        #expect(Deflate.fixedHuffman(Array("a".utf8)) == [0x4B, 0x04, 0x00])
    }

    @Test func fixedHuffmanRoundTripsRepeats() throws {
        let text = Array("abcabcabcabcabcabc, the quick brown fox, abcabcabc".utf8)
        for input in [text, [UInt8](repeating: 0, count: 70_000), []] {
            let deflated = Deflate.fixedHuffman(input)
            #expect(try PNGReading.inflate(deflated).bytes == input)
        }
        // 70 000 zero bytes: one literal then 271 matches of 258 at distance 1 (plus a shorter tail),
        // each 7 + 5 + 5 bits ≈ 2 bytes, so far below the input size.
        #expect(Deflate.fixedHuffman([UInt8](repeating: 0, count: 70_000)).count < 1000)
    }

    @Test func writePNGWritesTheEncodedBytes() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("strender-\(UUID().uuidString).png")
        defer { try? FileManager.default.removeItem(at: url) }
        try twoByTwo.writePNG(to: url)
        #expect(try Data(contentsOf: url) == twoByTwo.pngData())
    }
}
