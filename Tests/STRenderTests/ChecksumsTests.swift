import Testing
import STCore
@testable import STRender

@Suite struct ChecksumsTests {
    @Test func crc32OfTheStandardCheckString() {
        // The CRC-32 catalogue's check value for the ASCII bytes of "123456789".
        #expect(CRC32.checksum(Array("123456789".utf8)) == 0xCBF4_3926)
        // The empty message leaves the register at 0xFFFFFFFF, which the final XOR turns into 0.
        #expect(CRC32.checksum([UInt8]()) == 0)
    }

    @Test func tableDrivenCRC32AgreesWithTheBitwiseDefinition() {
        var generator = SeededGenerator(seed: 11)
        let bytes = (0..<1000).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
        #expect(CRC32.checksum(bytes) == PNGReading.bitwiseCRC32(bytes))
    }

    @Test func adler32OfWikipedia() {
        // Bytes W i k i p e d i a = 87 105 107 105 112 101 100 105 97, sum 919, so a = 1 + 919 = 920
        // = 0x398. Running a after each byte: 88 193 300 405 517 618 718 823 920, whose sum is
        // b = 4582 = 0x11E6. Result b·65536 + a = 0x11E60398.
        #expect(Checksums.adler32(Array("Wikipedia".utf8)) == 0x11E6_0398)
    }

    @Test func adler32ReducesLongRunsWithoutOverflow() {
        // 100 000 bytes of 0xFF (longer than the 5552-byte reduction run):
        // a = 1 + 255·100000 = 25 500 001 = 389·65521 + 12332 → a = 12332 = 0x302C;
        // b = Σ_{k=1..n} (1 + 255k) = n + 255·n(n+1)/2 = 1 275 012 850 000 = 19 459 606·65521 + 5274
        // → b = 5274 = 0x149A. Result 0x149A302C.
        #expect(Checksums.adler32([UInt8](repeating: 0xff, count: 100_000)) == 0x149A_302C)
    }
}
