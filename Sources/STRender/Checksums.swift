/// The zlib stream's checksum (a PNG chunk's CRC-32 is `STCore.CRC32`).
enum Checksums {
    /// Adler-32 (RFC 1950 §8.2): `a = 1 + Σ bytes`, `b = Σ` of the running `a` after each byte,
    /// both mod 65521; the result is `b·65536 + a`. `adler32("Wikipedia") = 0x11E60398`.
    static func adler32(_ bytes: some Sequence<UInt8>) -> UInt32 {
        let modulus: UInt32 = 65521
        // 5552 is the largest run for which b cannot overflow 32 bits before reducing (zlib's NMAX).
        let longestRun = 5552
        var a: UInt32 = 1
        var b: UInt32 = 0
        var run = 0
        for byte in bytes {
            a += UInt32(byte)
            b += a
            run += 1
            if run == longestRun {
                a %= modulus
                b %= modulus
                run = 0
            }
        }
        return (b % modulus) << 16 | (a % modulus)
    }
}
