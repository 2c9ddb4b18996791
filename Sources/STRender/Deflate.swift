/// Raw DEFLATE streams (RFC 1951) for the PNG encoder: stored blocks, or one block of greedy
/// LZ77 matches coded with the fixed Huffman codes of §3.2.6.
enum Deflate {
    /// Longest block a stored block can hold (its LEN field is 16 bits).
    static let maximumStoredBlock = 65535

    /// `bytes` as a sequence of stored (uncompressed) blocks of at most 65535 bytes each
    /// (header bits BFINAL, BTYPE = 00, then LEN and its one's complement NLEN, little-endian).
    /// Empty input gives one empty final block.
    static func stored(_ bytes: [UInt8]) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(storedSize(bytes.count))
        var start = 0
        repeat {
            let end = min(start + maximumStoredBlock, bytes.count)
            let length = UInt16(end - start)
            output.append(end == bytes.count ? 1 : 0)
            output += [UInt8(length & 0xff), UInt8(length >> 8), UInt8(~length & 0xff), UInt8(~length >> 8)]
            output += bytes[start..<end]
            start = end
        } while start < bytes.count
        return output
    }

    /// `bytes` as one final block (BTYPE = 01) with fixed Huffman codes: greedy LZ77 over a
    /// 32 KiB window (matches of 3…258 bytes found through a hash chain of 3-byte prefixes,
    /// at most `maximumChain` candidates per position), literals for everything else.
    static func fixedHuffman(_ bytes: [UInt8], maximumChain: Int = 64) -> [UInt8] {
        var writer = DeflateBitWriter()
        writer.write(1, bits: 1)  // BFINAL
        writer.write(1, bits: 2)  // BTYPE = 01, fixed Huffman codes
        var matcher = LZ77Matcher(bytes: bytes, maximumChain: maximumChain)
        var position = 0
        while position < bytes.count {
            if let match = matcher.longestMatch(at: position) {
                writeLength(match.length, to: &writer)
                writeDistance(match.distance, to: &writer)
                for covered in position..<(position + match.length) {
                    matcher.insert(covered)
                }
                position += match.length
            } else {
                writeSymbol(Int(bytes[position]), to: &writer)
                matcher.insert(position)
                position += 1
            }
        }
        writeSymbol(256, to: &writer)  // end of block
        return writer.finish()
    }

    /// The shorter of `fixedHuffman(bytes)` and `stored(bytes)` (fixed codes expand incompressible
    /// data by up to 9/8).
    static func compress(_ bytes: [UInt8]) -> [UInt8] {
        let huffman = fixedHuffman(bytes)
        return huffman.count <= storedSize(bytes.count) ? huffman : stored(bytes)
    }

    /// Size of `stored` output for `count` bytes: 5 header bytes per block of at most 65535 bytes,
    /// at least one block.
    static func storedSize(_ count: Int) -> Int {
        count + 5 * max(1, (count + maximumStoredBlock - 1) / maximumStoredBlock)
    }

    // MARK: - Fixed Huffman codes (RFC 1951 §3.2.6)

    /// Writes literal/length symbol `symbol` (0…287): 0–143 → 8 bits from 0x30, 144–255 → 9 bits
    /// from 0x190, 256–279 → 7 bits from 0, 280–287 → 8 bits from 0xC0; most-significant bit first.
    private static func writeSymbol(_ symbol: Int, to writer: inout DeflateBitWriter) {
        let (code, length): (Int, Int)
        switch symbol {
        case 0...143: (code, length) = (0x30 + symbol, 8)
        case 144...255: (code, length) = (0x190 + symbol - 144, 9)
        case 256...279: (code, length) = (symbol - 256, 7)
        default: (code, length) = (0xc0 + symbol - 280, 8)
        }
        writer.write(reversed(UInt32(code), bits: length), bits: length)
    }

    /// Base lengths of length symbols 257…285 and their extra bits (§3.2.5).
    private static let lengthBases = [3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31,
                                      35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258]
    private static let lengthExtraBits = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2,
                                          3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0]
    /// Base distances of distance codes 0…29 and their extra bits (§3.2.5).
    private static let distanceBases = [1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193,
                                        257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097, 6145,
                                        8193, 12289, 16385, 24577]
    private static let distanceExtraBits = [0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6,
                                            7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13]

    /// Writes a match length 3…258 as its symbol (257 + index of the largest base ≤ length) and extra bits.
    private static func writeLength(_ length: Int, to writer: inout DeflateBitWriter) {
        let index = lengthBases.lastIndex { $0 <= length }!
        writeSymbol(257 + index, to: &writer)
        writer.write(UInt32(length - lengthBases[index]), bits: lengthExtraBits[index])
    }

    /// Writes a distance 1…32768 as its 5-bit code (most-significant bit first) and extra bits.
    private static func writeDistance(_ distance: Int, to writer: inout DeflateBitWriter) {
        let index = distanceBases.lastIndex { $0 <= distance }!
        writer.write(reversed(UInt32(index), bits: 5), bits: 5)
        writer.write(UInt32(distance - distanceBases[index]), bits: distanceExtraBits[index])
    }

    /// The low `bits` bits of `code` in reverse order.
    private static func reversed(_ code: UInt32, bits: Int) -> UInt32 {
        var result: UInt32 = 0
        var remaining = code
        for _ in 0..<bits {
            result = result << 1 | (remaining & 1)
            remaining >>= 1
        }
        return result
    }
}
