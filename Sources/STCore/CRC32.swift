/// CRC-32 (ISO 3309 / ITU-T V.42, as zip, PNG and zlib use it): reflected polynomial 0xEDB88320,
/// initial register 0xFFFFFFFF, final XOR 0xFFFFFFFF; table-driven, one byte at a time.
/// `CRC32.checksum("123456789".utf8) = 0xCBF43926`.
public enum CRC32 {
    public static func checksum(_ bytes: some Sequence<UInt8>) -> UInt32 {
        var crc: UInt32 = 0xffff_ffff
        for byte in bytes {
            crc = table[Int((crc ^ UInt32(byte)) & 0xff)] ^ (crc >> 8)
        }
        return ~crc
    }

    /// `table[n]` is the register after shifting byte `n` through it eight times.
    private static let table: [UInt32] = (0..<256).map { index in
        (0..<8).reduce(UInt32(index)) { crc, _ in crc & 1 == 1 ? 0xedb8_8320 ^ (crc >> 1) : crc >> 1 }
    }
}
