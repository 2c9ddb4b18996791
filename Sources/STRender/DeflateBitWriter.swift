/// Packs bit fields into bytes least-significant bit first, the order DEFLATE (RFC 1951 §3.1.1)
/// stores everything in; Huffman codes, which DEFLATE stores most-significant bit first, are
/// passed in already bit-reversed.
struct DeflateBitWriter {
    private(set) var bytes: [UInt8] = []
    private var buffer: UInt64 = 0
    private var bufferedBits = 0

    /// Appends the low `count` bits of `value` (count ≤ 32), lowest bit first.
    mutating func write(_ value: UInt32, bits count: Int) {
        buffer |= UInt64(value & (count == 32 ? .max : (1 << UInt32(count)) - 1)) << UInt64(bufferedBits)
        bufferedBits += count
        while bufferedBits >= 8 {
            bytes.append(UInt8(truncatingIfNeeded: buffer))
            buffer >>= 8
            bufferedBits -= 8
        }
    }

    /// Pads with zero bits to the next byte boundary and returns every byte written.
    mutating func finish() -> [UInt8] {
        if bufferedBits > 0 {
            write(0, bits: 8 - bufferedBits)
        }
        return bytes
    }
}
