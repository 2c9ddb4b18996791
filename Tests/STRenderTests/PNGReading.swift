import Foundation
@testable import STRender

/// Test-only PNG reading, written independently of the encoder: walks chunks, recomputes CRCs
/// bit by bit (not with the encoder's table), inflates stored and fixed-Huffman DEFLATE blocks
/// straight from RFC 1951's tables, and undoes the five scanline filters.
enum PNGReading {
    struct Chunk {
        let type: String
        let data: [UInt8]
        let storedCRC: UInt32
        let computedCRC: UInt32
    }

    struct Problem: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }

    static let signature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]

    /// The chunks after the signature; every length must stay inside the file and the file must end
    /// exactly after the last chunk.
    static func chunks(_ file: [UInt8]) throws -> [Chunk] {
        guard Array(file.prefix(8)) == signature else { throw Problem("bad signature") }
        var chunks: [Chunk] = []
        var offset = 8
        while offset < file.count {
            guard offset + 12 <= file.count else { throw Problem("truncated chunk header at \(offset)") }
            let length = Int(bigEndian(file, at: offset))
            guard offset + 12 + length <= file.count else { throw Problem("chunk at \(offset) overruns the file") }
            let typeAndData = Array(file[(offset + 4)..<(offset + 8 + length)])
            chunks.append(Chunk(type: String(decoding: typeAndData.prefix(4), as: UTF8.self),
                                data: Array(typeAndData.dropFirst(4)),
                                storedCRC: bigEndian(file, at: offset + 8 + length),
                                computedCRC: bitwiseCRC32(typeAndData)))
            offset += 12 + length
        }
        return chunks
    }

    static func bigEndian(_ bytes: [UInt8], at offset: Int) -> UInt32 {
        bytes[offset..<(offset + 4)].reduce(0) { $0 << 8 | UInt32($1) }
    }

    /// CRC-32 one bit at a time: XOR each byte into the low end, shift right eight times, XOR the
    /// reflected polynomial 0xEDB88320 whenever a 1 falls out.
    static func bitwiseCRC32(_ bytes: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xffff_ffff
        for byte in bytes {
            crc ^= UInt32(byte)
            for _ in 0..<8 {
                crc = crc & 1 == 1 ? (crc >> 1) ^ 0xedb8_8320 : crc >> 1
            }
        }
        return ~crc
    }

    /// Raw DEFLATE blocks of type 00 (stored) or 01 (fixed Huffman); `storedBlockLengths` lists
    /// the LEN of every stored block met.
    static func inflate(_ input: [UInt8]) throws -> (bytes: [UInt8], storedBlockLengths: [Int]) {
        var reader = BitReader(bytes: input)
        var output: [UInt8] = []
        var storedLengths: [Int] = []
        var isFinal = false
        while !isFinal {
            isFinal = try reader.bits(1) == 1
            switch try reader.bits(2) {
            case 0:
                reader.alignToByte()
                let length = try reader.bits(16)
                let complement = try reader.bits(16)
                guard length == ~complement & 0xffff else { throw Problem("NLEN is not the complement of LEN") }
                storedLengths.append(length)
                for _ in 0..<length { output.append(UInt8(try reader.bits(8))) }
            case 1:
                try inflateFixedBlock(&reader, into: &output)
            default:
                throw Problem("unexpected block type")
            }
        }
        return (output, storedLengths)
    }

    private static let lengthBase = [3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59,
                                     67, 83, 99, 115, 131, 163, 195, 227, 258]
    private static let lengthExtra = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3,
                                      4, 4, 4, 4, 5, 5, 5, 5, 0]
    private static let distanceBase = [1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385,
                                       513, 769, 1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577]
    private static let distanceExtra = [0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8,
                                        9, 9, 10, 10, 11, 11, 12, 12, 13, 13]

    private static func inflateFixedBlock(_ reader: inout BitReader, into output: inout [UInt8]) throws {
        while true {
            let symbol = try fixedSymbol(&reader)
            if symbol < 256 {
                output.append(UInt8(symbol))
            } else if symbol == 256 {
                return
            } else {
                let index = symbol - 257
                guard index < 29 else { throw Problem("bad length symbol \(symbol)") }
                let length = lengthBase[index] + (try reader.bits(lengthExtra[index]))
                let code = try reader.huffmanBits(5)
                guard code < 30 else { throw Problem("bad distance code \(code)") }
                let distance = distanceBase[code] + (try reader.bits(distanceExtra[code]))
                guard distance <= output.count else { throw Problem("distance \(distance) before the start") }
                for _ in 0..<length { output.append(output[output.count - distance]) }
            }
        }
    }

    /// RFC 1951 §3.2.6: 7-bit codes 0000000–0010111 → 256–279; 8-bit 00110000–10111111 → 0–143,
    /// 11000000–11000111 → 280–287; 9-bit 110010000–111111111 → 144–255.
    private static func fixedSymbol(_ reader: inout BitReader) throws -> Int {
        var code = try reader.huffmanBits(7)
        if code <= 0b0010111 { return 256 + code }
        code = code << 1 | (try reader.bits(1))
        if (0b0011_0000...0b1011_1111).contains(code) { return code - 0b0011_0000 }
        if (0b1100_0000...0b1100_0111).contains(code) { return 280 + code - 0b1100_0000 }
        code = code << 1 | (try reader.bits(1))
        return 144 + code - 0b1_1001_0000
    }

    /// Undoes filter types 0–4 row by row.
    static func unfilter(_ scanlines: [UInt8], width: Int, height: Int, channels: Int) throws -> [UInt8] {
        let rowBytes = width * channels
        guard scanlines.count == height * (rowBytes + 1) else { throw Problem("scanline data has the wrong size") }
        var pixels = [UInt8](repeating: 0, count: height * rowBytes)
        for row in 0..<height {
            let type = scanlines[row * (rowBytes + 1)]
            for i in 0..<rowBytes {
                let filtered = Int(scanlines[row * (rowBytes + 1) + 1 + i])
                let a = i >= channels ? Int(pixels[row * rowBytes + i - channels]) : 0
                let b = row > 0 ? Int(pixels[(row - 1) * rowBytes + i]) : 0
                let c = row > 0 && i >= channels ? Int(pixels[(row - 1) * rowBytes + i - channels]) : 0
                let predictor: Int
                switch type {
                case 0: predictor = 0
                case 1: predictor = a
                case 2: predictor = b
                case 3: predictor = (a + b) / 2
                case 4:
                    let p = a + b - c
                    let (pa, pb, pc) = (abs(p - a), abs(p - b), abs(p - c))
                    predictor = pa <= pb && pa <= pc ? a : (pb <= pc ? b : c)
                default: throw Problem("bad filter type \(type)")
                }
                pixels[row * rowBytes + i] = UInt8((filtered + predictor) & 0xff)
            }
        }
        return pixels
    }

    /// Everything a test checks about an encoded RGB(A) PNG: its chunk types and data, the zlib
    /// wrapper, and the decoded pixels.
    static func decode(_ file: [UInt8]) throws -> (width: Int, height: Int, channels: Int, pixels: [UInt8]) {
        let chunks = try chunks(file)
        guard chunks.map(\.type) == ["IHDR", "IDAT", "IEND"] else { throw Problem("chunks \(chunks.map(\.type))") }
        for chunk in chunks where chunk.storedCRC != chunk.computedCRC { throw Problem("\(chunk.type) CRC") }
        let header = chunks[0].data
        let width = Int(bigEndian(header, at: 0))
        let height = Int(bigEndian(header, at: 4))
        let channels = header[9] == 6 ? 4 : 3
        let zlib = chunks[1].data
        guard zlib.count >= 6, (Int(zlib[0]) << 8 | Int(zlib[1])) % 31 == 0, zlib[0] & 0x0f == 8 else {
            throw Problem("bad zlib header")
        }
        let scanlines = try inflate(Array(zlib[2..<(zlib.count - 4)])).bytes
        guard bigEndian(zlib, at: zlib.count - 4) == Checksums.adler32(scanlines) else { throw Problem("Adler-32") }
        return (width, height, channels, try unfilter(scanlines, width: width, height: height, channels: channels))
    }
}

/// Reads DEFLATE's bit stream: fields least-significant bit first, Huffman codes most-significant first.
struct BitReader {
    let bytes: [UInt8]
    private var position = 0  // in bits

    init(bytes: [UInt8]) { self.bytes = bytes }

    mutating func bits(_ count: Int) throws -> Int {
        var value = 0
        for index in 0..<count {
            guard position / 8 < bytes.count else { throw PNGReading.Problem("ran out of input") }
            value |= Int(bytes[position / 8] >> UInt8(position % 8) & 1) << index
            position += 1
        }
        return value
    }

    mutating func huffmanBits(_ count: Int) throws -> Int {
        var value = 0
        for _ in 0..<count { value = value << 1 | (try bits(1)) }
        return value
    }

    mutating func alignToByte() {
        position = (position + 7) / 8 * 8
    }
}
