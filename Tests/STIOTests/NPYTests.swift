import Foundation
import Testing
import STCore
import TestSupport
@testable import STIO

// MARK: - Fixtures

/// An `.npy` image with the given version and header text (a '\n' is appended, no alignment
/// padding: readers do not need it) followed by `data`.
func npyBytes(_ header: String, version: UInt8 = 1, data: [UInt8] = []) -> [UInt8] {
    let text = Array((header + "\n").utf8)
    let length = version == 1 ? littleEndianBytes([UInt16(text.count)]) : littleEndianBytes([UInt32(text.count)])
    return [0x93] + Array("NUMPY".utf8) + [version, 0] + length + text + data
}

/// The header dict numpy writes for a C-ordered array of `descr` and `shape` (a Python tuple).
func npyDictionary(descr: String = "<f4", shape: String) -> String {
    "{'descr': '\(descr)', 'fortran_order': False, 'shape': \(shape), }"
}

/// The big-endian bytes of integers.
func bigEndianBytes<T: FixedWidthInteger>(_ values: [T]) -> [UInt8] {
    values.flatMap { value in withUnsafeBytes(of: value.bigEndian) { Array($0) } }
}

/// Bytes from a hexadecimal string (whitespace ignored).
func hexBytes(_ text: String) -> [UInt8] {
    let digits = Array(text.filter { !$0.isWhitespace })
    return stride(from: 0, to: digits.count, by: 2).map { UInt8(String(digits[$0...$0 + 1]), radix: 16)! }
}

/// What numpy 2.4 writes for `np.save(f, np.arange(6, dtype=np.float32).reshape(2, 3))`: the magic,
/// version 1.0, header length 118 = 0x76 (little-endian), the 59-character dict, 58 spaces and
/// '\n' — 6 + 2 + 2 + 118 = 128 = 2·64 bytes — then the six float32 values.
let numpyArange2x3: [UInt8] = [0x93] + Array("NUMPY".utf8) + [1, 0, 0x76, 0]
    + Array(npyDictionary(shape: "(2, 3)").utf8) + [UInt8](repeating: 0x20, count: 58) + [0x0a]
    + float32Bytes([0, 1, 2, 3, 4, 5])

/// A malformed `.npy` image and a fragment its one-line error reason must contain.
struct MalformedNPY: Sendable, CustomTestStringConvertible {
    let name: String
    let bytes: [UInt8]
    let reason: String

    var testDescription: String { name }

    static let all: [MalformedNPY] = [
        MalformedNPY(name: "bad magic", bytes: Array("PK\u{3}\u{4} not numpy at all".utf8), reason: "not an .npy file"),
        MalformedNPY(name: "empty file", bytes: [], reason: "not an .npy file"),
        MalformedNPY(name: "version 4.0", bytes: [0x93] + Array("NUMPY".utf8) + [4, 0, 0, 0],
                     reason: "unsupported .npy format version 4.0"),
        MalformedNPY(name: "version 1.1", bytes: [0x93] + Array("NUMPY".utf8) + [1, 1, 0, 0],
                     reason: "unsupported .npy format version 1.1"),
        MalformedNPY(name: "header longer than the file", bytes: Array(npyBytes(npyDictionary(shape: "(2,)")).dropLast(5)),
                     reason: "truncated header"),
        MalformedNPY(name: "header not a dict", bytes: npyBytes("[1, 2]"), reason: "malformed header: it is not a Python dict"),
        MalformedNPY(name: "unterminated dict", bytes: npyBytes("{'descr': '<f4', 'fortran_order': False"),
                     reason: "malformed header"),
        MalformedNPY(name: "missing shape", bytes: npyBytes("{'descr': '<f4', 'fortran_order': False}"),
                     reason: "malformed header: missing key 'shape'"),
        MalformedNPY(name: "unexpected key",
                     bytes: npyBytes("{'descr': '<f4', 'fortran_order': False, 'shape': (), 'x': 1}"),
                     reason: "malformed header: unexpected key 'x'"),
        MalformedNPY(name: "duplicate key",
                     bytes: npyBytes("{'descr': '<f4', 'descr': '<f8', 'fortran_order': False, 'shape': ()}"),
                     reason: "malformed header: key 'descr' appears twice"),
        MalformedNPY(name: "Fortran order",
                     bytes: npyBytes("{'descr': '<f4', 'fortran_order': True, 'shape': (2, 3), }",
                                     data: float32Bytes([0, 1, 2, 3, 4, 5])),
                     reason: "Fortran-ordered arrays are not supported; save with np.ascontiguousarray"),
        MalformedNPY(name: "object array",
                     bytes: npyBytes(npyDictionary(descr: "|O", shape: "(2,)"), data: [UInt8](repeating: 0, count: 16)),
                     reason: "object arrays are not supported"),
        MalformedNPY(name: "complex dtype",
                     bytes: npyBytes(npyDictionary(descr: "<c8", shape: "(1,)"), data: [UInt8](repeating: 0, count: 8)),
                     reason: "unsupported dtype '<c8'"),
        MalformedNPY(name: "string dtype",
                     bytes: npyBytes(npyDictionary(descr: "<U3", shape: "()"), data: [UInt8](repeating: 0, count: 12)),
                     reason: "unsupported dtype '<U3'"),
        MalformedNPY(name: "structured dtype",
                     bytes: npyBytes("{'descr': [('x', '<f4')], 'fortran_order': False, 'shape': (1,), }"),
                     reason: "structured arrays (a list of fields as descr) are not supported"),
        MalformedNPY(name: "negative shape entry", bytes: npyBytes(npyDictionary(shape: "(2, -3)")),
                     reason: "malformed header: shape entry -3 is negative"),
        MalformedNPY(name: "non-integer shape entry", bytes: npyBytes(npyDictionary(shape: "(2.5,)")),
                     reason: "malformed header: shape entry 2.5 is not an integer"),
        MalformedNPY(name: "shape not a tuple", bytes: npyBytes(npyDictionary(shape: "(5)")),
                     reason: "malformed header: shape is not a tuple"),
        MalformedNPY(name: "shape overflowing Int", bytes: npyBytes(npyDictionary(shape: "(4294967296, 4294967296)")),
                     reason: "malformed header: shape [4294967296, 4294967296] is too large"),
        MalformedNPY(name: "truncated data", bytes: Array(numpyArange2x3.dropLast(4)),
                     reason: "expected 24 bytes of data, found 20"),
    ]
}

// MARK: - .npy

@Suite struct NPYTests {
    @Test func decodesTheBytesNumpySavesForAFloat32Arange() throws {
        let tensor = try NPY.decode(Data(numpyArange2x3), source: "arange.npy")
        #expect(tensor.shape == [2, 3])
        #expect(tensor.scalars == [0, 1, 2, 3, 4, 5])
    }

    @Test func encodeWritesExactlyWhatNumpySaveWrites() {
        let encoded = NPY.encode(Tensor(shape: [2, 3], scalars: [0, 1, 2, 3, 4, 5]))
        #expect([UInt8](encoded) == numpyArange2x3)
    }

    @Test(arguments: [([Int](), "()"), ([5], "(5,)"), ([123456789012, 0], "(123456789012, 0)")])
    func headersUsePythonTupleSyntaxAndFillOneAlignedBlock(_ shape: [Int], _ tuple: String) {
        // Each dict with its growth room (see below) is under 118 characters, so magic, version,
        // length, dict, spaces and '\n' fill exactly 128 bytes, as numpy 2.4 writes them.
        let header = NPY.header(shape: shape)
        #expect(header.count == 128)
        #expect(Array(header[8..<10]) == [118, 0])
        let text = String(decoding: header[10...], as: UTF8.self)
        #expect(text.hasPrefix(npyDictionary(shape: tuple) + " "))
        #expect(text.hasSuffix(" \n"))
        #expect(text.dropLast().allSatisfy { $0 != "\n" })
    }

    @Test func headerKeepsNumpysGrowthRoomForTheFirstAxis() {
        // The dict for shape (2, 3, …, 15) is 53 + 48 = 101 characters. numpy ≥ 1.24 appends
        // 21 − len("2") = 20 spaces of room for the first axis to grow, then pads: 10 + 101 + 20 + 1
        // = 132 rounds up to 192, so 192 − 10 − 101 − 1 = 80 spaces precede the '\n'
        // (without the growth room it would have been 128).
        let shape = Array(2...15)
        let header = NPY.header(shape: shape)
        #expect(header.count == 192)
        let dictionary = npyDictionary(shape: "(" + shape.map(String.init).joined(separator: ", ") + ")")
        #expect(Array(header[10...]) == Array(dictionary.utf8) + [UInt8](repeating: 0x20, count: 80) + [0x0a])
    }

    @Test func headerTooLongForVersion1IsWrittenAsVersion2() throws {
        // 22000 axes of size 1 make a dict of about 66000 characters, beyond version 1.0's
        // 16-bit length; numpy's rule is then version 2.0 with a 32-bit length. (numpy itself
        // allows at most 64 axes, so only this reader can load the file back.)
        let tensor = Tensor(shape: [Int](repeating: 1, count: 22000), scalars: [4.5])
        let encoded = [UInt8](NPY.encode(tensor))
        #expect(Array(encoded[6..<8]) == [2, 0])
        let length = Int(UInt32(encoded[8]) | UInt32(encoded[9]) << 8 | UInt32(encoded[10]) << 16 | UInt32(encoded[11]) << 24)
        #expect((12 + length) % 64 == 0)
        #expect(encoded.count == 12 + length + 4)
        #expect(try NPY.decode(Data(encoded), source: "long.npy") == tensor)
    }

    @Test(arguments: [[Int](), [5], [2, 3, 4]])
    func writeThenReadRoundTripsShapeAndValues(_ shape: [Int]) throws {
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        let path = scratch.file("array.npy")
        let tensor = Tensor.randomNormal(shape: shape, seed: 3)
        try NPY.write(tensor, to: path)
        let read = try NPY.read(path: path)
        #expect(read == tensor)
        #expect(read.shape == shape)
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == NPY.encode(tensor))
        #expect(scratch.entries == ["array.npy"])
    }

    /// A header `descr`, the stored element bytes and the `Float`s they must decode to.
    struct Conversion: Sendable, CustomTestStringConvertible {
        let descr: String
        let bytes: [UInt8]
        let expected: [Float]
        var testDescription: String { descr }

        static let all: [Conversion] = [
            // 0.1 rounds to the nearest Float, 0.100000001490116…; 1e300 is beyond Float's range.
            Conversion(descr: "<f8", bytes: littleEndianBytes([1.0, -2.5, 0.1, 1e300].map(\.bitPattern)),
                       expected: [1, -2.5, 0.1, .infinity]),
            Conversion(descr: ">f8", bytes: bigEndianBytes([-0.75, 3].map(\.bitPattern)), expected: [-0.75, 3]),
            Conversion(descr: ">f4", bytes: bigEndianBytes([Float(1.5), -8].map(\.bitPattern)), expected: [1.5, -8]),
            // binary16: 0x3C00 = 1, 0xC100 = −(1 + 256/1024)·2 = −2.5, 0x7BFF = 65504, 0x0001 = 2⁻²⁴.
            Conversion(descr: "<f2", bytes: littleEndianBytes([UInt16(0x3c00), 0xc100, 0x7bff, 0x0001]),
                       expected: [1, -2.5, 65504, 0x1p-24]),
            Conversion(descr: "|i1", bytes: [0x80, 0x7f, 0xff], expected: [-128, 127, -1]),
            Conversion(descr: "|u1", bytes: [0, 1, 255], expected: [0, 1, 255]),
            Conversion(descr: "|b1", bytes: [1, 0, 1], expected: [1, 0, 1]),
            Conversion(descr: "<i2", bytes: littleEndianBytes([Int16.min, 300]), expected: [-32768, 300]),
            Conversion(descr: ">i2", bytes: bigEndianBytes([Int16(-2), 513]), expected: [-2, 513]),
            Conversion(descr: "<i4", bytes: littleEndianBytes([Int32(-7), 16_777_216]), expected: [-7, 16_777_216]),
            // 2⁴⁰ + 1 is not a Float; it rounds to 2⁴⁰.
            Conversion(descr: "<i8", bytes: littleEndianBytes([Int64(-5), 1 << 40 + 1]), expected: [-5, 0x1p40]),
            Conversion(descr: "<u2", bytes: littleEndianBytes([UInt16.max]), expected: [65535]),
            Conversion(descr: "<u4", bytes: littleEndianBytes([UInt32.max]), expected: [4_294_967_296]),
            Conversion(descr: ">u8", bytes: bigEndianBytes([UInt64(12345)]), expected: [12345]),
        ]
    }

    @Test(arguments: Conversion.all)
    func otherElementTypesAreConvertedToFloat(_ conversion: Conversion) throws {
        let dictionary = npyDictionary(descr: conversion.descr, shape: "(\(conversion.expected.count),)")
        let bytes = npyBytes(dictionary, data: conversion.bytes)
        let tensor = try NPY.decode(Data(bytes), source: "\(conversion.descr).npy")
        #expect(tensor.shape == [conversion.expected.count])
        #expect(tensor.scalars == conversion.expected)
    }

    @Test(arguments: [UInt8(2), 3])
    func versions2And3WithAFourByteHeaderLengthAreRead(_ version: UInt8) throws {
        let bytes = npyBytes(npyDictionary(shape: "(1, 2)"), version: version, data: float32Bytes([-1, 2]))
        #expect(try NPY.decode(Data(bytes), source: "v\(version).npy") == Tensor(shape: [1, 2], scalars: [-1, 2]))
    }

    @Test func pythonTwoLongIntegersAndDoubleQuotesInTheHeaderAreAccepted() throws {
        let bytes = npyBytes(#"{"descr": "<f4", "fortran_order": False, "shape": (2L, 1L)}"#, data: float32Bytes([3, 4]))
        #expect(try NPY.decode(Data(bytes), source: "py2.npy") == Tensor(shape: [2, 1], scalars: [3, 4]))
    }

    @Test func nanValuesAreReadWithoutError() throws {
        let bytes = npyBytes(npyDictionary(shape: "(3,)"), data: float32Bytes([1, .nan, -.infinity]))
        let values = try NPY.decode(Data(bytes), source: "nan.npy").scalars
        #expect(values[0] == 1 && values[1].isNaN && values[2] == -.infinity)
    }

    @Test func bytesAfterTheDataAreIgnoredAsNumpyDoes() throws {
        #expect(try NPY.decode(Data(numpyArange2x3 + [1, 2, 3]), source: "trailing.npy").scalars == [0, 1, 2, 3, 4, 5])
    }

    @Test(arguments: MalformedNPY.all)
    func malformedFileIsRejectedInOneLineNamingIt(_ malformed: MalformedNPY) throws {
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        let path = scratch.file("bad.npy")
        try Data(malformed.bytes).write(to: URL(fileURLWithPath: path))
        let error = badInput { _ = try NPY.read(path: path) }
        #expect(error?.file == path)
        #expect(error?.reason.contains(malformed.reason) == true, "reason: \(error?.reason ?? "none")")
        #expect(error?.reason.contains("\n") == false)
    }

    @Test func decodeNamesTheGivenSourceInErrors() {
        let error = badInput { _ = try NPY.decode(Data([1, 2, 3]), source: "clip-07.npy") }
        #expect(error?.file == "clip-07.npy")
        #expect(error?.reason.hasPrefix("not an .npy file") == true)
    }

    @Test func missingFileIsReportedAsNoSuchFile() throws {
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        let path = scratch.file("absent.npy")
        let error = badInput { _ = try NPY.read(path: path) }
        #expect(error?.file == path && error?.reason == "no such file")
    }
}

// MARK: - .npz

/// What numpy 2.4 writes for `np.savez(f, a=np.arange(3, dtype=np.float32),
/// b=np.array([[1.5]]))`: stored entries whose local headers carry Zip64 size fields.
let numpySavez = hexBytes("""
    504b03042d000000000000002100b68c8653ffffffffffffffff05001400612e6e7079010010008c000000000000008c0000000000000093
    4e554d5059010076007b276465736372273a20273c6634272c2027666f727472616e5f6f72646572273a2046616c73652c20277368617065
    273a2028332c292c207d20202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020
    20202020202020202020202020200a000000000000803f00000040504b03042d000000000000002100836d12e4ffffffffffffffff050014
    00622e6e70790100100088000000000000008800000000000000934e554d5059010076007b276465736372273a20273c6638272c2027666f
    727472616e5f6f72646572273a2046616c73652c20277368617065273a2028312c2031292c207d2020202020202020202020202020202020
    20202020202020202020202020202020202020202020202020202020202020202020202020202020200a000000000000f83f504b01022d03
    2d000000000000002100b68c86538c0000008c000000050000000000000000000000800100000000612e6e7079504b01022d032d00000000
    0000002100836d12e488000000880000000500000000000000000000008001c3000000622e6e7079504b0506000000000200020066000000
    820100000000
    """)

/// `np.savez(f, x=np.array([7, -1], dtype=np.int16))` written by Python's zipfile with its Zip64
/// limits set to 0: Zip64 sizes in the central directory and a Zip64 end-of-central-directory
/// record and locator (bytes 258..<334) before the classic record.
let zip64Savez = hexBytes("""
    504b03042d0000000000000021003c1dfe93ffffffffffffffff05001400782e6e7079010010008400000000000000840000000000000093
    4e554d5059010076007b276465736372273a20273c6932272c2027666f727472616e5f6f72646572273a2046616c73652c20277368617065
    273a2028322c292c207d20202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020
    20202020202020202020202020200a0700ffff504b01022d032d0000000000000021003c1dfe93ffffffffffffffff050014000000000000
    000000800100000000782e6e70790100100084000000000000008400000000000000504b06062c000000000000002d002d00000000000000
    0000010000000000000001000000000000004700000000000000bb00000000000000504b060700000000020100000000000001000000504b
    0506000000000100010047000000bb0000000000
    """)

/// `np.savez_compressed(f, a=np.arange(3, dtype=np.float32))` from numpy 2.4: one deflated entry.
let numpySavezCompressed = hexBytes("""
    504b03042d000000080000002100b68c8653ffffffffffffffff05001400612e6e7079010010008c000000000000004b000000000000009b
    ec17ea1b10c9c850c650ad9e925a9c5ca46ea5a06e9366a2aea3a09e965f54529498179f5f94920a12774bcc294e058a17672416a402f91a
    c63a9a3a0ab50a14002e063068b007120e00504b01022d032d000000080000002100b68c86534b0000008c00000005000000000000000000
    0000800100000000612e6e7079504b0506000000000100010033000000820000000000
    """)

@Suite struct NPZTests {
    /// Reads `bytes` as `name` in a scratch directory and returns the `badInput` error.
    static func readError(_ bytes: [UInt8],
                          name: String = "bad.npz") throws -> (path: String, error: (file: String, reason: String)?) {
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        let path = scratch.file(name)
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return (path, badInput { _ = try NPZ.read(path: path) })
    }

    @Test func crc32OfTheStandardCheckStringIsCBF43926() {
        #expect(CRC32.checksum(Array("123456789".utf8)) == 0xcbf4_3926)
        #expect(CRC32.checksum([UInt8]()) == 0)
    }

    @Test func writeThenReadRoundTripsEveryArray() throws {
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        let path = scratch.file("maps.npz")
        let arrays: [String: Tensor] = [
            "saliency": .randomUniform(shape: [2, 3, 4], seed: 11),
            "frame_weights": .randomNormal(shape: [16], seed: 12),
            "score": Tensor(0.875),
        ]
        try NPZ.write(arrays, to: path)
        #expect(try NPZ.read(path: path) == arrays)
        #expect(scratch.entries == ["maps.npz"])
    }

    @Test func writtenEntriesAreStoredNpyImagesWithTheirCRC() throws {
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        let path = scratch.file("one.npz")
        let tensor = Tensor(shape: [2, 3], scalars: [0, 1, 2, 3, 4, 5])
        try NPZ.write(["a": tensor], to: path)
        let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
        // Local header: signature, version 2.0, no flags, method 0 (stored), CRC at 14, sizes at
        // 18 and 22, name length 5 at 26, no extra field; the name; then the .npy image.
        #expect(Array(bytes[0..<4]) == [0x50, 0x4b, 0x03, 0x04])
        #expect(Array(bytes[8..<10]) == [0, 0])
        #expect(Array(bytes[14..<18]) == littleEndianBytes([CRC32.checksum(numpyArange2x3)]))
        #expect(Array(bytes[18..<26]) == littleEndianBytes([UInt32(152), 152]))
        #expect(String(decoding: bytes[30..<35], as: UTF8.self) == "a.npy")
        #expect(Array(bytes[35..<(35 + 152)]) == numpyArange2x3)
    }

    @Test func nonASCIINamesAreFlaggedAsUTF8() throws {
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        let path = scratch.file("names.npz")
        try NPZ.write(["größe": Tensor(1)], to: path)
        let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
        #expect(Array(bytes[6..<8]) == [0x00, 0x08])  // general-purpose flag bit 11: UTF-8 name
        #expect(try NPZ.read(path: path) == ["größe": Tensor(1)])
    }

    @Test func readsTheArchiveNumpySavezWrote() throws {
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        let path = scratch.file("numpy.npz")
        try Data(numpySavez).write(to: URL(fileURLWithPath: path))
        let arrays = try NPZ.read(path: path)
        #expect(arrays == ["a": Tensor(shape: [3], scalars: [0, 1, 2]), "b": Tensor(shape: [1, 1], scalars: [1.5])])
    }

    @Test(arguments: [false, true])
    func zip64CentralDirectoryAndEndRecordsAreFollowed(_ placeholdersInClassicRecord: Bool) throws {
        var bytes = zip64Savez
        if placeholdersInClassicRecord {
            // The classic record's entry counts (bytes 8..<12 of it) and central-directory offset
            // (16..<20) set to their Zip64 placeholders: only the Zip64 record has the values.
            let end = bytes.count - 22
            bytes.replaceSubrange((end + 8)..<(end + 12), with: [0xff, 0xff, 0xff, 0xff])
            bytes.replaceSubrange((end + 16)..<(end + 20), with: [0xff, 0xff, 0xff, 0xff])
        }
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        let path = scratch.file("zip64.npz")
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        #expect(try NPZ.read(path: path) == ["x": Tensor(shape: [2], scalars: [7, -1])])
    }

    @Test func deflatedEntryIsRejectedPointingToSavez() throws {
        let (path, error) = try Self.readError(numpySavezCompressed, name: "compressed.npz")
        #expect(error?.file == path)
        #expect(error?.reason == "entry 'a.npy' is compressed (deflate); only uncompressed .npz archives are supported: "
                + "save with np.savez, not np.savez_compressed")
    }

    @Test func corruptedEntryFailsItsCRCCheck() throws {
        var bytes = numpySavez
        bytes[190] ^= 0x01  // inside a.npy's image, bytes 55..<195
        let (path, error) = try Self.readError(bytes)
        #expect(error?.file == path)
        #expect(error?.reason.hasPrefix("entry 'a.npy' fails its CRC-32 check (stored 0x5386"
                                        + "8CB6, computed") == true, "reason: \(error?.reason ?? "none")")
    }

    @Test func malformedEntryIsReportedWithTheArchiveAndEntryName() throws {
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        let path = scratch.file("bad-entry.npz")
        var bytes = numpySavez
        // Entry 'b' has its local header at 195 and its .npy image at 195 + 30 + 5 + 20 = 250..<386;
        // its descr '<f8' becomes '<c8' ('f' is byte 12 of the dict at 250 + 10). The CRC is
        // recomputed into the local header (195 + 14) and b's central entry (437 + 16).
        bytes[272] = UInt8(ascii: "c")
        let crc = littleEndianBytes([CRC32.checksum(bytes[250..<386])])
        bytes.replaceSubrange(209..<213, with: crc)
        bytes.replaceSubrange((437 + 16)..<(437 + 20), with: crc)
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        let error = badInput { _ = try NPZ.read(path: path) }
        #expect(error?.file == path)
        #expect(error?.reason.hasPrefix("entry 'b.npy': unsupported dtype '<c8'") == true, "reason: \(error?.reason ?? "none")")
    }

    @Test func nonZipFileAndMissingFileAreRejected() throws {
        let (path, error) = try Self.readError(numpyArange2x3)
        #expect(error?.file == path)
        #expect(error?.reason.hasPrefix("not a zip archive") == true)
        let missing = "/nonexistent/arrays.npz"
        let missingError = badInput { _ = try NPZ.read(path: missing) }
        #expect(missingError?.file == missing && missingError?.reason == "no such file")
    }
}
