import Foundation
import Testing
import STCore
import TestSupport
@testable import STIO

@Suite struct PNGEncodingTests {
    /// PNG is lossless: two 17 × 9 frames (a gradient and seeded noise) encoded in one ffmpeg run
    /// and read back through ffmpeg give the same bytes; each file starts with the PNG signature.
    @Test func framesRoundTripExactly() throws {
        var generator = SeededGenerator(seed: 5)
        var gradient: [UInt8] = []
        for i in 0..<(17 * 9) { gradient += [UInt8(i % 17 * 15), UInt8(i / 17 * 28), 128] }
        let noise = (0..<(17 * 9 * 3)).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
        let files = try PNGEncoding.encode([gradient, noise], width: 17, height: 9)
        #expect(files.count == 2)
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        for (file, pixels) in zip(files, [gradient, noise]) {
            #expect(file.prefix(8) == Data([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))
            let path = directory.appendingPathComponent("\(UUID().uuidString).png").path
            try file.write(to: URL(fileURLWithPath: path))
            let decoded = try VideoReader.frames(path)
            #expect(decoded.count == 1 && decoded[0].width == 17 && decoded[0].height == 9)
            #expect(decoded.first?.pixels == pixels)
        }
    }

    /// Two PNG files back to back split after each IEND chunk.
    @Test func concatenatedFilesSplitAfterIEND() {
        let iend: [UInt8] = [0, 0, 0, 0, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82]
        let one: [UInt8] = [0x89, 0x50] + iend
        let two: [UInt8] = [0x89, 0x51] + iend
        #expect(PNGEncoding.split(Data(one + two)) == [Data(one), Data(two)])
    }

    @Test func framesOfTheWrongSizeAreRefused() {
        expectError(.invalidRequest, mentioning: "3 × 2 × 1 bytes") {
            try PNGEncoding.encode([[0, 0, 0]], width: 2, height: 1)
        }
    }
}
