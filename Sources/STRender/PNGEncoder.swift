import Foundation
import STCore

/// Encodes 8-bit RGB and RGBA images as PNG files (ISO/IEC 15948): the signature, then the chunks
/// IHDR, IDAT (one zlib stream, RFC 1950) and IEND, each as length, type, data, CRC-32 of type + data.
public enum PNGEncoder {
    /// How the image data is compressed.
    public enum Compression: Sendable {
        /// Stored DEFLATE blocks and filter type 0 on every scanline: no compression, the
        /// scanlines appear verbatim in the file.
        case stored
        /// Per-scanline adaptive filtering (None, Sub, Up, Average or Paeth, whichever gives the
        /// smallest sum of absolute signed bytes — the heuristic of the PNG specification §12.8),
        /// then greedy LZ77 with fixed Huffman codes; falls back to stored blocks if that is smaller.
        case fixedHuffman
    }

    /// The 8-byte PNG signature.
    static let signature: [UInt8] = [137, 80, 78, 71, 13, 10, 26, 10]

    /// `image` as a PNG file (colour type 2, truecolour, 8 bits per channel, no interlacing).
    public static func encode(_ image: RGBImage, compression: Compression = .fixedHuffman) -> Data {
        encode(samples: image.pixels, width: image.width, height: image.height, channels: 3,
               compression: compression)
    }

    /// An RGBA image (`4·width·height` bytes, RGBA interleaved, row-major, straight alpha) as a PNG
    /// file (colour type 6, 8 bits per channel).
    ///
    /// - Throws: `STError.badInput` when `rgba.count ≠ 4·width·height` or a size is negative.
    public static func encode(rgba: [UInt8], width: Int, height: Int,
                              compression: Compression = .fixedHuffman) throws -> Data {
        guard width >= 0, height >= 0, rgba.count == 4 * width * height else {
            throw STError.badInput(file: "PNGEncoder.rgba", reason: "\(rgba.count) bytes for a \(width)×\(height) "
                + "RGBA image (expected \(4 * max(width, 0) * max(height, 0)))")
        }
        return encode(samples: rgba, width: width, height: height, channels: 4, compression: compression)
    }

    private static func encode(samples: [UInt8], width: Int, height: Int, channels: Int,
                               compression: Compression) -> Data {
        var header: [UInt8] = []
        header.appendBigEndian(UInt32(width))
        header.appendBigEndian(UInt32(height))
        header += [8, channels == 4 ? 6 : 2, 0, 0, 0]  // bit depth, colour type, deflate, filter method 0, no interlace

        let scanlines: [UInt8]
        let deflated: [UInt8]
        switch compression {
        case .stored:
            scanlines = PNGScanlineFilter.unfiltered(samples, width: width, height: height, channels: channels)
            deflated = Deflate.stored(scanlines)
        case .fixedHuffman:
            scanlines = PNGScanlineFilter.adaptive(samples, width: width, height: height, channels: channels)
            deflated = Deflate.compress(scanlines)
        }
        // zlib header: CMF 0x78 (deflate, 32 KiB window), FLG 0x01 (no dictionary; 0x7801 is a multiple of 31).
        var zlib: [UInt8] = [0x78, 0x01]
        zlib += deflated
        zlib.appendBigEndian(Checksums.adler32(scanlines))

        var file = signature
        appendChunk("IHDR", header, to: &file)
        appendChunk("IDAT", zlib, to: &file)
        appendChunk("IEND", [], to: &file)
        return Data(file)
    }

    /// Appends length (big-endian), type, data and CRC-32 of type + data.
    private static func appendChunk(_ type: String, _ data: [UInt8], to file: inout [UInt8]) {
        let typeAndData = Array(type.utf8) + data
        file.appendBigEndian(UInt32(data.count))
        file += typeAndData
        file.appendBigEndian(CRC32.checksum(typeAndData))
    }
}

extension RGBImage {
    /// This image as a PNG file; see `PNGEncoder.encode(_:compression:)`.
    public func pngData(compression: PNGEncoder.Compression = .fixedHuffman) -> Data {
        PNGEncoder.encode(self, compression: compression)
    }

    /// Writes this image as a PNG file at `url`, atomically (through a temporary file that is
    /// renamed at the end).
    ///
    /// - Throws: `STError.badInput(file: url.path, …)` when the file cannot be written.
    public func writePNG(to url: URL, compression: PNGEncoder.Compression = .fixedHuffman) throws {
        do {
            try pngData(compression: compression).write(to: url, options: .atomic)
        } catch {
            throw STError.badInput(file: url.path, reason: "cannot write PNG: \(error.localizedDescription)")
        }
    }
}

extension [UInt8] {
    /// Appends `value` most-significant byte first, the byte order of PNG and zlib.
    mutating func appendBigEndian(_ value: UInt32) {
        append(contentsOf: [UInt8(value >> 24), UInt8(value >> 16 & 0xff), UInt8(value >> 8 & 0xff), UInt8(value & 0xff)])
    }
}
