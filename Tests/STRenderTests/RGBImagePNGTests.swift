import Foundation
import Testing
import STCore
import STIO
@testable import STRender

@Suite struct RGBImagePNGTests {
    /// PNG is lossless: a gradient and seeded noise, each 17 × 9 (odd sizes, so no row is a
    /// multiple of a word), encoded by libpng and decoded by ffmpeg give back the same bytes.
    @Test func imagesRoundTripExactlyThroughAnIndependentDecoder() throws {
        var generator = SeededGenerator(seed: 5)
        var gradient: [UInt8] = []
        for i in 0..<(17 * 9) { gradient += [UInt8(i % 17 * 15), UInt8(i / 17 * 28), 128] }
        let noise = (0..<(17 * 9 * 3)).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("png-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        for pixels in [gradient, noise] {
            let file = try RGBImage(width: 17, height: 9, pixels: pixels).pngData()
            #expect(file.prefix(8) == Data([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))
            let path = directory.appendingPathComponent("\(UUID().uuidString).png").path
            try file.write(to: URL(fileURLWithPath: path))
            let decoded = try VideoReader.frames(path)
            #expect(decoded.count == 1 && decoded[0].width == 17 && decoded[0].height == 9)
            #expect(decoded.first?.pixels == pixels)
        }
    }

    /// The file is one PNG stream: the header chunk first, 13 bytes of it (width 17, height 9, 8 bits,
    /// colour type 2 = RGB), and the end chunk last.
    @Test func headerSaysEightBitRGBOfTheImagesSize() throws {
        let file = [UInt8](try RGBImage(width: 17, height: 9, colour: .red).pngData())
        #expect(Array(file[8..<16]) == [0, 0, 0, 13] + Array("IHDR".utf8))
        #expect(Array(file[16..<26]) == [0, 0, 0, 17, 0, 0, 0, 9, 8, 2])
        #expect(Array(file.suffix(8)) == Array("IEND".utf8) + [0xae, 0x42, 0x60, 0x82])
    }

    /// libpng refuses an empty image through its error callback; the refusal is a typed error
    /// with its reason, and the process goes on.
    @Test func emptyImageIsRefusedWithLibpngsReason() {
        do {
            _ = try RGBImage(width: 0, height: 4).pngData()
            Issue.record("an empty image was encoded")
        } catch STError.badInput(let file, let reason) {
            #expect(file == "png")
            #expect(reason.hasPrefix("libpng cannot encode a 0×4 image: ") && reason.count > 35, "\(reason)")
        } catch {
            Issue.record("expected STError.badInput, got \(error)")
        }
    }
}
