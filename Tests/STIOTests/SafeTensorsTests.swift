import Foundation
import Testing
import STCore
import TestSupport
@testable import STIO

// MARK: - Fixtures shared by the STIO suites

/// A fresh directory under the system's temporary directory; call `remove()` when done.
struct ScratchDirectory {
    let path: String

    init() throws {
        path = try temporaryDirectory().path
    }

    func file(_ name: String) -> String {
        (path as NSString).appendingPathComponent(name)
    }

    /// Names of the entries in the directory (hidden ones included), sorted.
    var entries: [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []).sorted()
    }

    func remove() {
        try? FileManager.default.removeItem(atPath: path)
    }
}

/// The bytes of a safetensors file: header length N (8 bytes, little-endian), N header bytes, data.
func safetensorsBytes(header: String, data: [UInt8] = []) -> [UInt8] {
    littleEndianBytes([UInt64(header.utf8.count)]) + Array(header.utf8) + data
}

/// A well-formed safetensors file holding `entries` back to back, in the given order.
func safetensorsBytes(_ entries: [(name: String, dtype: String, shape: [Int], bytes: [UInt8])]) -> [UInt8] {
    var offset = 0
    let members = entries.map { entry -> String in
        defer { offset += entry.bytes.count }
        let shape = entry.shape.map(String.init).joined(separator: ",")
        return "\"\(entry.name)\":{\"dtype\":\"\(entry.dtype)\",\"shape\":[\(shape)],"
            + "\"data_offsets\":[\(offset),\(offset + entry.bytes.count)]}"
    }
    return safetensorsBytes(header: "{\(members.joined(separator: ","))}", data: entries.flatMap(\.bytes))
}

/// The little-endian bytes of integers.
func littleEndianBytes<T: FixedWidthInteger>(_ values: [T]) -> [UInt8] {
    values.flatMap { value in withUnsafeBytes(of: value.littleEndian) { Array($0) } }
}

/// The little-endian IEEE 754 binary32 bytes of `values`.
func float32Bytes(_ values: [Float]) -> [UInt8] {
    littleEndianBytes(values.map(\.bitPattern))
}

// MARK: - Reading and writing

/// A malformed file and a fragment its one-line error reason must contain.
struct MalformedFile: Sendable, CustomTestStringConvertible {
    let name: String
    let bytes: [UInt8]
    let reason: String

    var testDescription: String { name }

    static let valid = safetensorsBytes([("w", "F32", [2], float32Bytes([1, 2]))])

    static let all: [MalformedFile] = [
        MalformedFile(name: "shorter than the length field", bytes: [1, 2, 3],
                      reason: "file is 3 bytes, too short for the 8-byte header length"),
        MalformedFile(name: "header length beyond the file", bytes: littleEndianBytes([UInt64(1000)]) + Array("{}".utf8),
                      reason: "header length 1000 exceeds the 2 bytes after the length field"),
        MalformedFile(name: "bad JSON", bytes: safetensorsBytes(header: #"{"w":{"dtype":"F32","#),
                      reason: "header is not valid JSON: "),
        MalformedFile(name: "text after the JSON object", bytes: safetensorsBytes(header: "{} x"),
                      reason: "header is not valid JSON: "),
        MalformedFile(name: "header not an object", bytes: safetensorsBytes(header: "[]"),
                      reason: "header is not a JSON object"),
        MalformedFile(name: "unknown dtype", bytes: safetensorsBytes([("w", "F12", [1], [0, 0, 0, 0])]),
                      reason: "tensor 'w' has unknown or unsupported dtype 'F12'"),
        MalformedFile(name: "fractional shape",
                      bytes: safetensorsBytes(header: #"{"w":{"dtype":"F32","shape":[1.5],"data_offsets":[0,4]}}"#,
                                              data: float32Bytes([1])),
                      reason: "tensor 'w' shape is not a list of non-negative integers"),
        MalformedFile(name: "negative shape",
                      bytes: safetensorsBytes(header: #"{"w":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}}"#,
                                              data: float32Bytes([1])),
                      reason: "tensor 'w' shape is not a list of non-negative integers"),
        MalformedFile(name: "missing data_offsets",
                      bytes: safetensorsBytes(header: #"{"w":{"dtype":"F32","shape":[1]}}"#, data: float32Bytes([1])),
                      reason: "tensor 'w' data_offsets is not a pair [begin, end] of non-negative integers"),
        MalformedFile(name: "reversed offsets",
                      bytes: safetensorsBytes(header: #"{"w":{"dtype":"F32","shape":[1],"data_offsets":[4,0]}}"#,
                                              data: float32Bytes([1])),
                      reason: "tensor 'w' data_offsets [4, 0] end before they begin"),
        MalformedFile(name: "offsets beyond the buffer",
                      bytes: safetensorsBytes(header: #"{"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}"#,
                                              data: float32Bytes([1])),
                      reason: "tensor 'w' data_offsets [0, 8] reach beyond the 4-byte data buffer"),
        MalformedFile(name: "overlapping offsets",
                      bytes: safetensorsBytes(header: #"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"#
                                                  + #""b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}"#,
                                              data: float32Bytes([1, 2, 3])),
                      reason: "tensors 'a' and 'b' overlap in bytes 4..<8 of the data buffer"),
        MalformedFile(name: "offsets disagreeing with dtype size × shape",
                      bytes: safetensorsBytes(header: #"{"w":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}"#,
                                              data: float32Bytes([1, 2])),
                      reason: "tensor 'w' data_offsets [0, 8] span 8 bytes, but F32 with shape [3] needs 12"),
        MalformedFile(name: "gap before a tensor",
                      bytes: safetensorsBytes(header: #"{"w":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}"#,
                                              data: float32Bytes([1, 2])),
                      reason: "bytes 0..<4 of the data buffer belong to no tensor"),
        MalformedFile(name: "trailing bytes", bytes: valid + [0, 0, 0, 0],
                      reason: "the last 4 bytes of the data buffer belong to no tensor"),
        MalformedFile(name: "duplicate tensor name",
                      bytes: safetensorsBytes(header: #"{"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"#
                                                  + #""w":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}"#,
                                              data: float32Bytes([1, 2])),
                      reason: "tensor name 'w' appears twice in the header"),
        MalformedFile(name: "duplicate field",
                      bytes: safetensorsBytes(header: #"{"w":{"dtype":"F32","dtype":"F16","shape":[1],"data_offsets":[0,4]}}"#,
                                              data: float32Bytes([1])),
                      reason: "tensor 'w' has field 'dtype' twice"),
        MalformedFile(name: "metadata value not a string",
                      bytes: safetensorsBytes(header: #"{"__metadata__":{"epoch":3}}"#),
                      reason: "__metadata__ value of 'epoch' is not a string"),
        MalformedFile(name: "NaN weights", bytes: safetensorsBytes([("w", "F32", [2], float32Bytes([1, .nan]))]),
                      reason: "tensor 'w' holds nan at element 1; weights must be finite"),
        MalformedFile(name: "infinite F16 weight",
                      bytes: safetensorsBytes([("h", "F16", [1], littleEndianBytes([UInt16(0x7c00)]))]),
                      reason: "tensor 'h' holds inf at element 0; weights must be finite"),
        MalformedFile(name: "F64 beyond Float's range",
                      bytes: safetensorsBytes([("d", "F64", [1], littleEndianBytes([Double(1e300).bitPattern]))]),
                      reason: "tensor 'd' element 0 = 1e+300 is outside Float's range"),
        MalformedFile(name: "BOOL byte other than 0 or 1", bytes: safetensorsBytes([("mask", "BOOL", [2], [1, 2])]),
                      reason: "BOOL tensor 'mask' holds byte 2 at element 1"),
        MalformedFile(name: "truncated file", bytes: Array(valid.dropLast(2)),
                      reason: "tensor 'w' data_offsets [0, 8] reach beyond the 6-byte data buffer (truncated file?)"),
        // Foundation parses the header; the checks below are the ones its dictionaries and
        // NSNumbers would let through.
        MalformedFile(name: "header a string, not an object", bytes: safetensorsBytes(header: #""w""#),
                      reason: "header is not a JSON object"),
        MalformedFile(name: "shape written as a float", bytes: entryBytes(shape: "[1.0]"),
                      reason: "tensor 'w' shape is not a list of non-negative integers"),
        MalformedFile(name: "shape written with an exponent", bytes: entryBytes(shape: "[1e0]"),
                      reason: "tensor 'w' shape is not a list of non-negative integers"),
        MalformedFile(name: "shape given as a boolean", bytes: entryBytes(shape: "[true]"),
                      reason: "tensor 'w' shape is not a list of non-negative integers"),
        MalformedFile(name: "offset beyond Int", bytes: entryBytes(shape: "[1]", offsets: "[0,9223372036854775808]"),
                      reason: "tensor 'w' data_offsets is not a pair [begin, end] of non-negative integers"),
        MalformedFile(name: "duplicate tensor name written with an escape",
                      bytes: safetensorsBytes(header: #"{"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"#
                                                  + #""\u0077":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}"#,
                                              data: float32Bytes([1, 2])),
                      reason: "tensor name 'w' appears twice in the header"),
        MalformedFile(name: "duplicate metadata key",
                      bytes: safetensorsBytes(header: #"{"__metadata__":{"epoch":"1", "epoch":"2"}}"#),
                      reason: "__metadata__ key 'epoch' appears twice"),
        MalformedFile(name: "header with a byte-order mark",
                      bytes: littleEndianBytes([UInt64(5)]) + [0xef, 0xbb, 0xbf] + Array("{}".utf8),
                      reason: "header is not valid JSON: it must be UTF-8 text without a byte-order mark"),
        MalformedFile(name: "header in UTF-16", bytes: littleEndianBytes([UInt64(4)]) + [0x7b, 0, 0x7d, 0],
                      reason: "header is not valid JSON: it must be UTF-8 text"),
    ]

    /// A file with one F32 tensor 'w' of one element whose header spells out `shape` and `offsets`.
    static func entryBytes(shape: String, offsets: String = "[0,4]") -> [UInt8] {
        safetensorsBytes(header: #"{"w":{"dtype":"F32","shape":\#(shape),"data_offsets":\#(offsets)}}"#, data: float32Bytes([1]))
    }
}

@Suite struct SafeTensorsTests {
    @Test func roundTripPreservesF32ValuesOfOddShapesScalarsAndEmptyTensors() throws {
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        let tensors: [String: Tensor] = [
            "layer1.0.conv1.weight": .randomNormal(shape: [3, 1, 5, 2], seed: 7),
            "fc.bias": .randomUniform(shape: [7], seed: 8),
            "temperature": Tensor(3.5),
            "empty": Tensor(zeros: [0, 4]),
        ]
        let path = scratch.file("weights.safetensors")
        try SafeTensors.write(tensors, to: path)
        let contents = try SafeTensors.read(path: path)
        #expect(contents.tensors == tensors)
        #expect(contents.tensors["temperature"]?.shape == [])
        #expect(contents.dtypes == tensors.mapValues { _ in .f32 })
        #expect(contents.metadata.isEmpty)
        #expect(contents.integerTensors.isEmpty)
        #expect(scratch.entries == ["weights.safetensors"])
    }

    @Test func writtenHeaderIsSortedCompactAndSpacePaddedToAMultipleOfEightBytes() throws {
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        let path = scratch.file("small.safetensors")
        try SafeTensors.write(["b": Tensor(shape: [2], scalars: [1, 2]), "a": Tensor(3)], to: path)
        let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
        // The compact header is 107 bytes; 5 spaces pad it to 112 = 14·8, so the data starts at byte 120.
        let header = #"{"a":{"dtype":"F32","shape":[],"data_offsets":[0,4]},"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}"#
        #expect(Array(bytes[0..<8]) == littleEndianBytes([UInt64(112)]))
        #expect(Array(bytes[8..<120]) == Array(header.utf8) + [UInt8](repeating: UInt8(ascii: " "), count: 5))
        #expect(Array(bytes[120...]) == float32Bytes([3, 1, 2]))
    }

    @Test func metadataRoundTripsWithEscapedCharacters() throws {
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        let path = scratch.file("meta.safetensors")
        let metadata = ["format": "pt", "note": "line\nbreak, \"quoted\", tab\t, ünïcödé, \u{1}"]
        try SafeTensors.write(["w": Tensor(shape: [1, 1], scalars: [-0.25])], to: path, metadata: metadata)
        let contents = try SafeTensors.read(path: path)
        #expect(contents.metadata == metadata)
        #expect(contents.tensors["w"] == Tensor(shape: [1, 1], scalars: [-0.25]))
    }

    @Test func emptyMetadataIsWrittenAsAnEmptyObjectAndReadBackEmpty() throws {
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        let path = scratch.file("empty-meta.safetensors")
        try SafeTensors.write(["w": Tensor(1)], to: path, metadata: [:])
        let text = String(decoding: try Data(contentsOf: URL(fileURLWithPath: path)).dropFirst(8), as: UTF8.self)
        #expect(text.hasPrefix(#"{"__metadata__":{},"w":"#))
        #expect(try SafeTensors.read(path: path).metadata == [:])
    }

    @Test func f16DecodesNormalsSubnormalsAndSignedZero() throws {
        // binary16 = (−1)ˢ·(1 + f/1024)·2^(e−15), subnormals f·2⁻²⁴:
        // 0x3C00 = 1.0; 0xC100 = −(1 + 256/1024)·2¹ = −2.5; 0x7BFF = (2 − 2⁻¹⁰)·2¹⁵ = 65504 (largest finite);
        // 0x0400 = 2⁻¹⁴ (smallest normal); 0x0001 = 2⁻²⁴ ≈ 5.96e−8 (smallest subnormal);
        // 0x03FF = 1023·2⁻²⁴ ≈ 6.0976e−5 (largest subnormal); 0x8000 = −0.
        let bits: [UInt16] = [0x3c00, 0xc100, 0x7bff, 0x0400, 0x0001, 0x03ff, 0x8000]
        let contents = try SafeTensors.decode(Data(safetensorsBytes([("h", "F16", [7], littleEndianBytes(bits))])),
                                              file: "f16.safetensors")
        let values = try #require(contents.tensors["h"]).scalars
        #expect(values == [1, -2.5, 65504, 0x1p-14, 0x1p-24, 1023 * 0x1p-24, 0])
        #expect(values[6].sign == .minus)
        #expect(contents.dtypes["h"] == .f16)
    }

    @Test func bf16DecodesAsTheUpperHalfOfBinary32() throws {
        // bfloat16 is binary32 with the low 16 fraction bits dropped:
        // 0x3F80 = 1.0; 0xC020 = −(1 + 32/128)·2¹ = −2.5; 0x477F = (1 + 127/128)·2¹⁵ = 65280
        // (65504 is not representable); 0x7F7F = (2 − 2⁻⁷)·2¹²⁷ ≈ 3.3895e38 (largest finite);
        // 0x0080 = 2⁻¹²⁶ (smallest normal); 0x0001 = 2⁻¹³³ (smallest subnormal).
        let bits: [UInt16] = [0x3f80, 0xc020, 0x477f, 0x7f7f, 0x0080, 0x0001]
        let contents = try SafeTensors.decode(Data(safetensorsBytes([("b", "BF16", [2, 3], littleEndianBytes(bits))])),
                                              file: "bf16.safetensors")
        let tensor = try #require(contents.tensors["b"])
        #expect(tensor.shape == [2, 3])
        #expect(tensor.scalars == [1, -2.5, 65280, 0x1.fep127, 0x1p-126, 0x1p-133])
    }

    @Test func f64RoundsToTheNearestFloat() throws {
        // 1.0, −2.5 and 65504 are exact in binary32; 0.1 rounds to 0.100000001490116…;
        // 2⁻¹⁴⁹ is binary32's smallest subnormal, kept exactly.
        let values: [Double] = [1, -2.5, 65504, 0.1, 0x1p-149]
        let contents = try SafeTensors.decode(
            Data(safetensorsBytes([("d", "F64", [5], littleEndianBytes(values.map(\.bitPattern)))])), file: "f64.safetensors")
        #expect(try #require(contents.tensors["d"]).scalars == [1, -2.5, 65504, 0.100000001490116, 0x1p-149])
    }

    @Test func integerTensorsIncludingNumBatchesTrackedAreKeptExactly() throws {
        let bytes = safetensorsBytes([
            ("bn.num_batches_tracked", "I64", [], littleEndianBytes([Int64(12345)])),
            ("i32", "I32", [2], littleEndianBytes([Int32(-7), Int32.max])),
            ("i8", "I8", [1], littleEndianBytes([Int8(-128)])),
            ("u8", "U8", [2], [0, 255]),
            ("u16", "U16", [1], littleEndianBytes([UInt16(65535)])),
            ("mask", "BOOL", [3], [1, 0, 1]),
        ])
        let contents = try SafeTensors.decode(Data(bytes), file: "integers.safetensors")
        #expect(contents.tensors.isEmpty)
        let counter = try #require(contents.integerTensors["bn.num_batches_tracked"])
        #expect(counter == SafeTensors.IntegerTensor(shape: [], values: [12345]))
        #expect(counter.floatTensor == Tensor(12345))
        #expect(contents.integerTensors["i32"]?.values == [-7, 2_147_483_647])
        #expect(contents.integerTensors["i8"]?.values == [-128])
        #expect(contents.integerTensors["u8"]?.values == [0, 255])
        #expect(contents.integerTensors["u16"]?.values == [65535])
        #expect(contents.integerTensors["mask"] == SafeTensors.IntegerTensor(shape: [3], values: [1, 0, 1]))
        #expect(contents.dtypes["bn.num_batches_tracked"] == .i64)
    }

    @Test(arguments: MalformedFile.all)
    func malformedFileIsRejectedInOneLineNamingItAndLeftUnchanged(_ malformed: MalformedFile) throws {
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        let path = scratch.file("bad.safetensors")
        try Data(malformed.bytes).write(to: URL(fileURLWithPath: path))
        let error = badInput { _ = try SafeTensors.read(path: path) }
        #expect(error?.file == path)
        #expect(error?.reason.contains(malformed.reason) == true, "reason: \(error?.reason ?? "none")")
        #expect(error?.reason.contains("\n") == false)
        #expect(try [UInt8](Data(contentsOf: URL(fileURLWithPath: path))) == malformed.bytes)
    }

    @Test func missingFileAndDirectoryAreRejectedNamingThePath() throws {
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        let missing = scratch.file("absent.safetensors")
        let missingError = badInput { _ = try SafeTensors.read(path: missing) }
        #expect(missingError?.file == missing && missingError?.reason == "no such file")
        let directoryError = badInput { _ = try SafeTensors.read(path: scratch.path) }
        #expect(directoryError?.file == scratch.path && directoryError?.reason == "is a directory, not a file")
    }

    @Test func writingNonFiniteWeightsFailsAndKeepsThePreviousFile() throws {
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        let path = scratch.file("weights.safetensors")
        try SafeTensors.write(["w": Tensor(1)], to: path)
        let before = try Data(contentsOf: URL(fileURLWithPath: path))
        // "a" is streamed into the temporary file before "z" turns out to hold NaN.
        let error = badInput {
            try SafeTensors.write(["a": Tensor(repeating: 2, shape: [64]), "z": Tensor(shape: [2], scalars: [1, .nan])],
                                  to: path)
        }
        #expect(error?.file == path)
        #expect(error?.reason == "tensor 'z' holds nan at element 1; refusing to write non-finite weights")
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == before)
        #expect(scratch.entries == ["weights.safetensors"])
    }

    @Test func metadataIsAReservedTensorName() throws {
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        let path = scratch.file("reserved.safetensors")
        let error = badInput { try SafeTensors.write(["__metadata__": Tensor(1)], to: path) }
        #expect(error?.reason == "'__metadata__' is reserved and cannot name a tensor")
        #expect(scratch.entries.isEmpty)
    }
}

@Suite struct AtomicFileWriterTests {
    @Test func temporaryFileIsHiddenBesideTheDestination() {
        #expect(AtomicFileWriter.temporaryPath(for: "/data/run/out.bin") == "/data/run/.out.bin.tmp-\(getpid())")
    }

    @Test func writeReplacesTheDestinationAndLeavesNoTemporaryFile() throws {
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        let path = scratch.file("out.bin")
        try AtomicFileWriter.write(Data("old".utf8), to: path)
        try AtomicFileWriter.write(to: path, synchronize: true) { output in
            try output.write(Array("new ".utf8))
            try output.write(Data("contents".utf8))
        }
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "new contents")
        #expect(scratch.entries == ["out.bin"])
    }

    @Test func failingBodyRemovesTheTemporaryFileAndKeepsTheOldContents() throws {
        struct Interrupted: Error {}
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        let path = scratch.file("out.bin")
        try AtomicFileWriter.write(Data("old".utf8), to: path)
        #expect(throws: Interrupted.self) {
            try AtomicFileWriter.write(to: path) { output in
                try output.write(Array("partial".utf8))
                #expect(scratch.entries == [".out.bin.tmp-\(getpid())", "out.bin"])
                throw Interrupted()
            }
        }
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "old")
        #expect(scratch.entries == ["out.bin"])
    }

    @Test func directoryThatDisappearsMidWriteIsReportedNamingTheDestination() throws {
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        let directory = scratch.file("run")
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: false)
        let path = (directory as NSString).appendingPathComponent("out.bin")
        let error = badInput {
            try AtomicFileWriter.write(to: path) { output in
                try output.write(Array("bytes".utf8))
                try FileManager.default.removeItem(atPath: directory)
            }
        }
        #expect(error?.file == path)
        #expect(error?.reason.hasPrefix("cannot rename") == true, "reason: \(error?.reason ?? "none")")
        #expect(!FileManager.default.fileExists(atPath: directory))
    }

    @Test func missingDirectoryIsReportedBeforeAnythingIsWritten() throws {
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        let path = scratch.file("absent/out.bin")
        let error = badInput { try AtomicFileWriter.write(Data("x".utf8), to: path) }
        #expect(error?.file == path)
        #expect(error?.reason.hasPrefix("cannot create temporary file") == true)
        #expect(error?.reason.hasSuffix("No such file or directory") == true)
        #expect(scratch.entries.isEmpty)
    }
}
