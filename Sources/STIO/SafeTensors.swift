import Foundation
import STCore

#if _endian(big)
#error("safetensors reading and writing copy Float32 bytes directly and assume a little-endian host")
#endif

/// The safetensors format (Hugging Face), the usual way PyTorch state_dicts are shared:
///
///     [8 bytes: N, little-endian UInt64] [N bytes: JSON header] [data buffer]
///
/// The header is a JSON object mapping each tensor name to
/// `{"dtype": "F32", "shape": [2, 3], "data_offsets": [begin, end]}`, with the tensor's row-major,
/// little-endian elements in bytes `begin..<end` of the data buffer, plus an optional
/// `"__metadata__": {string: string}` entry. Tensors tile the buffer exactly: no overlaps, no
/// gaps, no trailing bytes (as the reference implementation requires).
///
/// Reading converts F32, F16, BF16 and F64 tensors to `Float` and keeps integer and boolean tensors
/// (I8, I16, I32, I64, U8, U16, U32, BOOL) exact, apart from the float ones — PyTorch checkpoints
/// carry batch norm's `num_batches_tracked` as a scalar I64. Every inconsistency is an
/// `STError.badInput(file:reason:)` naming the file, with a one-line reason; the file is only read
/// (memory-mapped), never modified. Writing produces F32 files through `AtomicFileWriter`.
public enum SafeTensors {
    /// Element types this implementation reads, by their header name.
    public enum DType: String, Sendable, CaseIterable {
        /// IEEE 754 binary16, bfloat16 (binary32's upper half), binary32, binary64.
        case f16 = "F16", bf16 = "BF16", f32 = "F32", f64 = "F64"
        /// Two's-complement signed integers.
        case i8 = "I8", i16 = "I16", i32 = "I32", i64 = "I64"
        /// Unsigned integers, and booleans stored as one byte 0 or 1.
        case u8 = "U8", u16 = "U16", u32 = "U32", bool = "BOOL"

        /// Bytes per element.
        public var byteSize: Int {
            switch self {
            case .i8, .u8, .bool: return 1
            case .f16, .bf16, .i16, .u16: return 2
            case .f32, .i32, .u32: return 4
            case .f64, .i64: return 8
            }
        }

        /// Whether tensors of this type are read into `Contents.tensors` (else `integerTensors`).
        public var isFloatingPoint: Bool {
            switch self {
            case .f16, .bf16, .f32, .f64: return true
            case .i8, .i16, .i32, .i64, .u8, .u16, .u32, .bool: return false
            }
        }
    }

    /// An integer or boolean tensor with its exact values (BOOL as 0 and 1), row-major.
    public struct IntegerTensor: Sendable, Equatable {
        public let shape: [Int]
        public let values: [Int64]

        /// A tensor of `shape` holding `values` (one per element, row-major).
        public init(shape: [Int], values: [Int64]) {
            precondition(values.count == shape.reduce(1, *), "\(values.count) values do not fill shape \(shape)")
            self.shape = shape
            self.values = values
        }

        /// The values as a `Float` tensor, each rounded to the nearest `Float` (exact up to 2²⁴).
        public var floatTensor: Tensor {
            Tensor(shape: shape, scalars: values.map { Float($0) })
        }
    }

    /// Everything a safetensors file holds.
    public struct Contents: Sendable {
        /// Floating-point tensors (F32, F16, BF16, F64) as `Float`, by name; all finite.
        public var tensors: [String: Tensor]
        /// Integer and boolean tensors, by name (`num_batches_tracked` lands here).
        public var integerTensors: [String: IntegerTensor]
        /// The `__metadata__` entry (empty when the file has none).
        public var metadata: [String: String]
        /// The stored element type of every tensor, by name.
        public var dtypes: [String: DType]
    }

    /// Largest header accepted, as in the reference implementation (guards against absurd lengths).
    public static let maximumHeaderBytes = 100_000_000

    /// Reads and validates the file at `path`.
    ///
    /// Throws `STError.badInput(file: path, reason:)` when the file cannot be read, is truncated,
    /// its header length runs past the file, the header is not valid JSON or names a tensor twice,
    /// a dtype is unknown, a shape or offset pair is malformed, offsets leave the buffer, overlap,
    /// leave gaps or disagree with dtype size × element count, a BOOL byte is not 0 or 1, or a
    /// floating-point tensor holds NaN or ±∞ (the reason names the tensor and element).
    public static func read(path: String) throws -> Contents {
        try decode(try MappedFile.contents(of: path), file: path)
    }

    /// Validates and decodes safetensors bytes held in memory; `file` names them in errors.
    public static func decode(_ data: Data, file: String) throws -> Contents {
        do {
            return try data.withUnsafeBytes { try decode($0) }
        } catch let problem as FormatProblem {
            throw STError.badInput(file: file, reason: problem.reason)
        }
    }

    /// Writes `tensors` as F32 to `path` atomically: names in byte order, the header padded with
    /// spaces so the data buffer starts at a multiple of 8 bytes, `__metadata__` first when
    /// `metadata` is given (an empty dictionary writes `{}`; `nil` writes no entry).
    ///
    /// Throws `STError.badInput(file: path, reason:)` if a tensor is named `__metadata__`, holds
    /// NaN or ±∞ (checked while streaming, so nothing is left behind), or the file system refuses.
    public static func write(_ tensors: [String: Tensor], to path: String, metadata: [String: String]? = nil) throws {
        guard tensors["__metadata__"] == nil else {
            throw STError.badInput(file: path, reason: "'__metadata__' is reserved and cannot name a tensor")
        }
        let ordered = tensors.sorted { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }
        var header = encodeHeader(ordered.map { ($0.key, $0.value.shape) }, metadata: metadata)
        header += repeatElement(UInt8(ascii: " "), count: (8 - header.count % 8) % 8)
        try AtomicFileWriter.write(to: path) { output in
            try withUnsafeBytes(of: UInt64(header.count).littleEndian) { try output.write($0) }
            try output.write(header)
            for (name, tensor) in ordered {
                try tensor.withUnsafeBufferPointer { values in
                    if let index = values.firstIndex(where: { !$0.isFinite }) {
                        throw STError.badInput(file: path, reason: "tensor '\(name)' holds \(values[index]) at element "
                                               + "\(index); refusing to write non-finite weights")
                    }
                    try output.write(UnsafeRawBufferPointer(values))
                }
            }
        }
    }

    /// The compact JSON header (unpadded) for F32 tensors laid out back to back in the given order.
    static func encodeHeader(_ tensors: [(name: String, shape: [Int])], metadata: [String: String]?) -> [UInt8] {
        var members: [String] = []
        if let metadata {
            let pairs = metadata.sorted { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }
                .map { "\(jsonString($0.key)):\(jsonString($0.value))" }
            members.append("\"__metadata__\":{\(pairs.joined(separator: ","))}")
        }
        var offset = 0
        for (name, shape) in tensors {
            let end = offset + shape.reduce(1, *) * MemoryLayout<Float>.size
            let dimensions = shape.map(String.init).joined(separator: ",")
            members.append("\(jsonString(name)):{\"dtype\":\"F32\",\"shape\":[\(dimensions)],"
                           + "\"data_offsets\":[\(offset),\(end)]}")
            offset = end
        }
        return Array("{\(members.joined(separator: ","))}".utf8)
    }

    /// `text` as a JSON string literal: quotes, backslashes and control characters escaped.
    static func jsonString(_ text: String) -> String {
        var result = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            case "\t": result += "\\t"
            case _ where scalar.value < 0x20: result += String(format: "\\u%04x", scalar.value)
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result + "\""
    }

    // MARK: - Decoding

    /// One validated header entry: where a tensor's bytes are and how to read them.
    private struct Entry {
        let name: String
        let dtype: DType
        let shape: [Int]
        let count: Int
        let begin: Int
        let end: Int
    }

    private static func decode(_ file: UnsafeRawBufferPointer) throws -> Contents {
        guard file.count >= 8 else {
            throw FormatProblem("file is \(file.count) bytes, too short for the 8-byte header length (truncated?)")
        }
        let declaredLength = UInt64(littleEndian: file.loadUnaligned(as: UInt64.self))
        let available = file.count - 8
        guard declaredLength <= UInt64(available) else {
            throw FormatProblem("header length \(declaredLength) exceeds the \(available) bytes after the length field "
                                + "(truncated or not a safetensors file?)")
        }
        let headerLength = Int(declaredLength)
        guard headerLength <= maximumHeaderBytes else {
            throw FormatProblem("header length \(headerLength) exceeds the \(maximumHeaderBytes)-byte limit")
        }
        let (entries, metadata) = try parseHeader(Array(file[8..<(8 + headerLength)]))
        let buffer = UnsafeRawBufferPointer(rebasing: file[(8 + headerLength)...])
        try validateLayout(entries, bufferSize: buffer.count)

        var contents = Contents(tensors: [:], integerTensors: [:], metadata: metadata, dtypes: [:])
        for entry in entries {
            let bytes = UnsafeRawBufferPointer(rebasing: buffer[entry.begin..<entry.end])
            contents.dtypes[entry.name] = entry.dtype
            if entry.dtype.isFloatingPoint {
                contents.tensors[entry.name] = try floatTensor(entry, bytes)
            } else {
                contents.integerTensors[entry.name] = try integerTensor(entry, bytes)
            }
        }
        return contents
    }

    /// Parses the header JSON into entries and metadata, checking each field's type, that no name
    /// is given twice, and that every entry's byte span equals dtype size × element count.
    /// Members are checked in the order the header gives them, so the first problem is reported.
    private static func parseHeader(_ bytes: [UInt8]) throws -> (entries: [Entry], metadata: [String: String]) {
        guard let members = try parseJSON(bytes) as? [String: Any] else {
            throw FormatProblem("header is not a JSON object")
        }
        var names = Set<String>()
        var entries: [Entry] = []
        var metadata: [String: String] = [:]
        for member in JSONMemberNames.members(of: bytes) {
            guard names.insert(member.name).inserted else {
                throw FormatProblem("tensor name '\(member.name)' appears twice in the header")
            }
            let value = members[member.name]
            if member.name == "__metadata__" {
                if let key = firstRepeat(in: member.fields) { throw FormatProblem("__metadata__ key '\(key)' appears twice") }
                metadata = try parseMetadata(value, keys: member.fields)
            } else {
                if let key = firstRepeat(in: member.fields) {
                    throw FormatProblem("tensor '\(member.name)' has field '\(key)' twice")
                }
                entries.append(try parseEntry(name: member.name, value))
            }
        }
        return (entries, metadata)
    }

    /// The header parsed by Foundation's `JSONSerialization` (RFC 8259; fragments allowed, so a
    /// header that is valid JSON but not an object is reported as such).
    private static func parseJSON(_ bytes: [UInt8]) throws -> Any {
        // JSONSerialization would also read UTF-16 and UTF-32 (recognised by their zero bytes) and
        // skip a byte-order mark; safetensors headers are UTF-8 without one, and a zero byte is
        // never valid in UTF-8 JSON.
        if bytes.starts(with: [0xef, 0xbb, 0xbf]) || bytes.contains(0) {
            throw FormatProblem("header is not valid JSON: it must be UTF-8 text without a byte-order mark or zero bytes")
        }
        do {
            return try JSONSerialization.jsonObject(with: Data(bytes), options: .fragmentsAllowed)
        } catch {
            let detail = (error as NSError).userInfo[NSDebugDescriptionErrorKey] as? String ?? "\(error)"
            throw FormatProblem("header is not valid JSON: \(detail.split(whereSeparator: \.isNewline).joined(separator: " "))")
        }
    }

    /// The first name that occurs a second time in `names`.
    private static func firstRepeat(in names: [String]) -> String? {
        var seen = Set<String>()
        return names.first { !seen.insert($0).inserted }
    }

    /// The `__metadata__` object, its values checked in the header's order `keys`.
    private static func parseMetadata(_ value: Any?, keys: [String]) throws -> [String: String] {
        guard let members = value as? [String: Any] else { throw FormatProblem("__metadata__ is not a JSON object") }
        var metadata: [String: String] = [:]
        for key in keys {
            guard let text = members[key] as? String else {
                throw FormatProblem("__metadata__ value of '\(key)' is not a string")
            }
            metadata[key] = text
        }
        return metadata
    }

    private static func parseEntry(name: String, _ value: Any?) throws -> Entry {
        guard let fields = value as? [String: Any] else { throw FormatProblem("entry of tensor '\(name)' is not a JSON object") }
        guard let dtypeName = fields["dtype"] as? String else {
            throw FormatProblem("tensor '\(name)' has no dtype string")
        }
        guard let dtype = DType(rawValue: dtypeName) else {
            let known = DType.allCases.map(\.rawValue).joined(separator: ", ")
            throw FormatProblem("tensor '\(name)' has unknown or unsupported dtype '\(dtypeName)' (supported: \(known))")
        }
        guard let shape = nonNegativeIntegers(fields["shape"]) else {
            throw FormatProblem("tensor '\(name)' shape is not a list of non-negative integers")
        }
        guard let offsets = nonNegativeIntegers(fields["data_offsets"]), offsets.count == 2 else {
            throw FormatProblem("tensor '\(name)' data_offsets is not a pair [begin, end] of non-negative integers")
        }
        let (begin, end) = (offsets[0], offsets[1])
        guard begin <= end else { throw FormatProblem("tensor '\(name)' data_offsets [\(begin), \(end)] end before they begin") }
        var count = 1
        var byteCount = dtype.byteSize
        for dimension in shape {
            let (product, overflow) = count.multipliedReportingOverflow(by: dimension)
            let (bytes, bytesOverflow) = product.multipliedReportingOverflow(by: dtype.byteSize)
            guard !overflow, !bytesOverflow else { throw FormatProblem("tensor '\(name)' shape \(shape) is too large") }
            (count, byteCount) = (product, bytes)
        }
        guard end - begin == byteCount else {
            throw FormatProblem("tensor '\(name)' data_offsets [\(begin), \(end)] span \(end - begin) bytes, but \(dtype.rawValue) "
                                + "with shape \(shape) needs \(byteCount)")
        }
        return Entry(name: name, dtype: dtype, shape: shape, count: count, begin: begin, end: end)
    }

    /// The integers of a JSON array of non-negative integers; nil for anything else. Only numbers
    /// written as integers count: `JSONSerialization` gives those integer-typed `NSNumber`s, while
    /// `1.0` and `1e2` come as doubles and `true` as a boolean (all of which would convert to `Int`
    /// in Swift), and integers beyond `Int` as unsigned or decimal numbers.
    private static func nonNegativeIntegers(_ value: Any?) -> [Int]? {
        guard let items = value as? [Any] else { return nil }
        var result: [Int] = []
        for item in items {
            guard let number = item as? NSNumber, ["s", "i", "l", "q"].contains(String(cString: number.objCType)),
                  number.int64Value >= 0, let integer = Int(exactly: number.int64Value) else { return nil }
            result.append(integer)
        }
        return result
    }

    /// Checks that the entries tile the data buffer: inside it, no overlaps, no unclaimed bytes.
    private static func validateLayout(_ entries: [Entry], bufferSize: Int) throws {
        for entry in entries where entry.end > bufferSize {
            throw FormatProblem("tensor '\(entry.name)' data_offsets [\(entry.begin), \(entry.end)] reach beyond the "
                                + "\(bufferSize)-byte data buffer (truncated file?)")
        }
        var position = 0
        var previous: String?
        for entry in entries.sorted(by: { ($0.begin, $0.end) < ($1.begin, $1.end) }) {
            if entry.begin < position, let previous {
                throw FormatProblem("tensors '\(previous)' and '\(entry.name)' overlap in bytes "
                                    + "\(entry.begin)..<\(min(position, entry.end)) of the data buffer")
            }
            if entry.begin > position {
                throw FormatProblem("bytes \(position)..<\(entry.begin) of the data buffer belong to no tensor")
            }
            position = entry.end
            previous = entry.name
        }
        if position < bufferSize {
            throw FormatProblem("the last \(bufferSize - position) bytes of the data buffer belong to no tensor")
        }
    }

    /// Decodes a floating-point entry to `Float` and checks that every element is finite.
    private static func floatTensor(_ entry: Entry, _ bytes: UnsafeRawBufferPointer) throws -> Tensor {
        var tensor = Tensor(zeros: entry.shape)
        tensor.withUnsafeMutableBufferPointer { output in
            switch entry.dtype {
            case .f32:
                if let source = bytes.baseAddress, let destination = output.baseAddress {
                    UnsafeMutableRawPointer(destination).copyMemory(from: source, byteCount: bytes.count)
                }
            case .f16:
                decodeElements(bytes, into: &output) { (bits: UInt16) in floatFromHalf(bits) }
            case .bf16:
                decodeElements(bytes, into: &output) { (bits: UInt16) in Float(bitPattern: UInt32(bits) << 16) }
            case .f64:
                decodeElements(bytes, into: &output) { (bits: UInt64) in Float(Double(bitPattern: bits)) }
            case .i8, .i16, .i32, .i64, .u8, .u16, .u32, .bool:
                preconditionFailure("\(entry.dtype) is not a floating-point type")
            }
        }
        try tensor.withUnsafeBufferPointer { values in
            guard let index = values.firstIndex(where: { !$0.isFinite }) else { return }
            if entry.dtype == .f64 {
                let original = Double(bitPattern: UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: index * 8,
                                                                                              as: UInt64.self)))
                if original.isFinite {
                    throw FormatProblem("tensor '\(entry.name)' element \(index) = \(original) is outside Float's range")
                }
            }
            throw FormatProblem("tensor '\(entry.name)' holds \(values[index]) at element \(index); weights must be finite")
        }
        return tensor
    }

    /// Decodes an integer or boolean entry exactly.
    private static func integerTensor(_ entry: Entry, _ bytes: UnsafeRawBufferPointer) throws -> IntegerTensor {
        var values = [Int64](repeating: 0, count: entry.count)
        values.withUnsafeMutableBufferPointer { output in
            switch entry.dtype {
            case .i8: decodeElements(bytes, into: &output) { (raw: Int8) in Int64(raw) }
            case .i16: decodeElements(bytes, into: &output) { (raw: Int16) in Int64(raw) }
            case .i32: decodeElements(bytes, into: &output) { (raw: Int32) in Int64(raw) }
            case .i64: decodeElements(bytes, into: &output) { (raw: Int64) in raw }
            case .u8, .bool: decodeElements(bytes, into: &output) { (raw: UInt8) in Int64(raw) }
            case .u16: decodeElements(bytes, into: &output) { (raw: UInt16) in Int64(raw) }
            case .u32: decodeElements(bytes, into: &output) { (raw: UInt32) in Int64(raw) }
            case .f16, .bf16, .f32, .f64: preconditionFailure("\(entry.dtype) is not an integer type")
            }
        }
        if entry.dtype == .bool, let index = values.firstIndex(where: { $0 > 1 }) {
            throw FormatProblem("BOOL tensor '\(entry.name)' holds byte \(values[index]) at element \(index) (only 0 and 1 are valid)")
        }
        return IntegerTensor(shape: entry.shape, values: values)
    }

    /// Reads consecutive little-endian `Raw` elements from `bytes` and converts each into `output`.
    private static func decodeElements<Raw: FixedWidthInteger, Element>(
        _ bytes: UnsafeRawBufferPointer, into output: inout UnsafeMutableBufferPointer<Element>,
        _ convert: (Raw) -> Element
    ) {
        let stride = MemoryLayout<Raw>.size
        for index in output.indices {
            output[index] = convert(Raw(littleEndian: bytes.loadUnaligned(fromByteOffset: index * stride, as: Raw.self)))
        }
    }

    /// IEEE 754 binary16 → binary32. With sign s, 5-bit exponent e and 10-bit fraction f:
    /// e = 0: (−1)ˢ·f·2⁻²⁴ (zero and subnormals); e = 31: ±∞ (f = 0) or NaN;
    /// otherwise (−1)ˢ·(1 + f/2¹⁰)·2^(e−15), i.e. the exponent rebiased by 127 − 15 = 112.
    static func floatFromHalf(_ bits: UInt16) -> Float {
        let sign = UInt32(bits & 0x8000) << 16
        let exponent = UInt32(bits >> 10) & 0x1f
        let fraction = UInt32(bits & 0x03ff)
        switch exponent {
        case 0:
            let magnitude = Float(fraction) * 0x1p-24
            return sign == 0 ? magnitude : -magnitude
        case 0x1f:
            return Float(bitPattern: sign | 0x7f80_0000 | fraction << 13)
        default:
            return Float(bitPattern: sign | (exponent + 112) << 23 | fraction << 13)
        }
    }
}
