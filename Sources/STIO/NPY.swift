import Foundation
import STCore

/// NumPy's `.npy` format (`numpy.lib.format`), one array per file:
///
///     [6 bytes: "\x93NUMPY"] [major, minor version bytes]
///     [header length L: UInt16 little-endian (1.0) or UInt32 little-endian (2.0, 3.0)]
///     [L bytes: a Python dict literal, space-padded and ending in '\n']
///     [the elements, C (row-major) order]
///
/// The dict is `{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }`: `descr` is the
/// element type (byte order `<` little, `>` big, `|` not applicable, `=` native; then kind and
/// byte size), `shape` a tuple of non-negative integers (`()` for a scalar, `(5,)` for one axis).
///
/// Reading accepts versions 1.0, 2.0 and 3.0 and converts the element types `f2`, `f4`, `f8`,
/// `i1`, `i2`, `i4`, `i8`, `u1`, `u2`, `u4`, `u8` and `b1` (bool, 0 or 1) in either byte order to
/// `Float`: integers round to the nearest `Float` (exact up to 2²⁴), `f8` values beyond `Float`'s
/// range become ±∞, and NaN is kept. Bytes after the data are ignored, as `numpy.load` does.
/// Every problem is an `STError.badInput(file:reason:)` naming the file, with a one-line reason.
///
/// Writing produces what `numpy.save` (numpy ≥ 1.24) writes for a C-ordered float32 array:
/// version 1.0 (2.0 only if the header outgrows 65535 bytes), `descr` `'<f4'`, the header padded
/// with spaces so the data starts at a multiple of 64 bytes.
public enum NPY {
    /// The six bytes every `.npy` file starts with.
    static let magic: [UInt8] = [0x93] + Array("NUMPY".utf8)

    /// Reads the `.npy` file at `path` (memory-mapped).
    ///
    /// Throws `STError.badInput(file: path, reason:)` when the file is missing or unreadable, or
    /// for any reason `decode(_:source:)` gives.
    public static func read(path: String) throws -> Tensor {
        try decode(MappedFile.contents(of: path), source: path)
    }

    /// Decodes `.npy` bytes held in memory; `source` names them in errors.
    ///
    /// Throws `STError.badInput(file: source, reason:)` for a missing magic ("not an .npy file"),
    /// an unsupported format version, a malformed or truncated header, a shape entry that is not a
    /// non-negative integer, `fortran_order: True`, an object, structured or otherwise unsupported
    /// dtype, or fewer data bytes than the shape needs ("expected N bytes of data, found M").
    public static func decode(_ data: Data, source: String) throws -> Tensor {
        do {
            return try data.withUnsafeBytes { try decode($0) }
        } catch let problem as FormatProblem {
            throw STError.badInput(file: source, reason: problem.reason)
        }
    }

    /// The bytes `numpy.save` writes for `tensor` as a C-ordered little-endian float32 array
    /// (see the type's description for the layout).
    public static func encode(_ tensor: Tensor) -> Data {
        var data = Data(header(shape: tensor.shape))
        data.append(littleEndianElements(tensor))
        return data
    }

    /// Writes `encode(tensor)` to `path` through `AtomicFileWriter`, so readers never see a
    /// partial file. Throws `STError.badInput(file: path, reason:)` when the file system refuses.
    public static func write(_ tensor: Tensor, to path: String) throws {
        try AtomicFileWriter.write(to: path) { output in
            try output.write(header(shape: tensor.shape))
            try output.write(littleEndianElements(tensor))
        }
    }

    // MARK: - Encoding

    /// Magic, version, header length and the header dict, padded with spaces and a final '\n' so
    /// its length is a multiple of 64. Like numpy ≥ 1.24, `21 − digits(shape[0])` spaces follow
    /// the dict (room to grow the first axis in place) before the alignment padding.
    static func header(shape: [Int]) -> [UInt8] {
        let dimensions = shape.map(String.init)
        let tuple = dimensions.count == 1 ? "(\(dimensions[0]),)" : "(\(dimensions.joined(separator: ", ")))"
        let growthRoom = dimensions.first.map { 21 - $0.count } ?? 0
        let dictionary = Array("{'descr': '<f4', 'fortran_order': False, 'shape': \(tuple), }".utf8)
            + [UInt8](repeating: UInt8(ascii: " "), count: growthRoom)
        let version1Prefix = magic.count + 2 + 2
        let fitsVersion1 = paddedLength(dictionary.count, prefix: version1Prefix) <= Int(UInt16.max)
        let prefix = fitsVersion1 ? version1Prefix : magic.count + 2 + 4
        let length = paddedLength(dictionary.count, prefix: prefix)
        var bytes = magic + (fitsVersion1 ? [1, 0] : [2, 0])
        if fitsVersion1 {
            bytes.appendLittleEndian(UInt16(length))
        } else {
            bytes.appendLittleEndian(UInt32(length))
        }
        bytes += dictionary
        bytes += [UInt8](repeating: UInt8(ascii: " "), count: length - dictionary.count - 1)
        bytes.append(UInt8(ascii: "\n"))
        return bytes
    }

    /// numpy's `_wrap_header`: the dict, at least one space and the '\n', rounded up so that
    /// `prefix` + header is a multiple of 64 bytes.
    private static func paddedLength(_ dictionaryLength: Int, prefix: Int) -> Int {
        let unpadded = dictionaryLength + 1
        return unpadded + 64 - (prefix + unpadded) % 64
    }

    /// The elements as little-endian IEEE 754 binary32, row-major.
    private static func littleEndianElements(_ tensor: Tensor) -> Data {
        tensor.withUnsafeBufferPointer { values in
            values.map(\.bitPattern.littleEndian).withUnsafeBytes { Data($0) }
        }
    }

    // MARK: - Decoding

    /// Decodes a whole `.npy` image; problems are `FormatProblem`s (reasons without the file name).
    static func decode(_ file: UnsafeRawBufferPointer) throws -> Tensor {
        guard file.count >= magic.count, Array(file.prefix(magic.count)) == magic else {
            throw FormatProblem("not an .npy file (it does not start with the magic \\x93NUMPY)")
        }
        guard file.count >= magic.count + 2 else { throw FormatProblem("truncated header: the file ends in the version") }
        let (major, minor) = (file[magic.count], file[magic.count + 1])
        guard [1, 2, 3].contains(major), minor == 0 else {
            throw FormatProblem("unsupported .npy format version \(major).\(minor) (supported: 1.0, 2.0, 3.0)")
        }
        let lengthOffset = magic.count + 2
        let lengthSize = major == 1 ? 2 : 4
        guard file.count >= lengthOffset + lengthSize else {
            throw FormatProblem("truncated header: the file ends in the header length")
        }
        let headerLength = major == 1
            ? Int(file.littleEndian(UInt16.self, at: lengthOffset))
            : Int(file.littleEndian(UInt32.self, at: lengthOffset))
        let dataOffset = lengthOffset + lengthSize + headerLength
        guard dataOffset <= file.count else {
            throw FormatProblem("truncated header: it should be \(headerLength) bytes, but only "
                                + "\(file.count - lengthOffset - lengthSize) follow the length field")
        }
        let header = try Header(Array(file[(lengthOffset + lengthSize)..<dataOffset]))
        let elementCount = try header.elementCount()
        let (byteCount, overflow) = elementCount.multipliedReportingOverflow(by: header.elementType.byteSize)
        guard !overflow else { throw FormatProblem("malformed header: shape \(header.shape) is too large") }
        let available = file.count - dataOffset
        guard available >= byteCount else {
            throw FormatProblem("expected \(byteCount) bytes of data, found \(available) (truncated file?)")
        }
        var tensor = Tensor(zeros: header.shape)
        tensor.withUnsafeMutableBufferPointer { output in
            header.elementType.convert(UnsafeRawBufferPointer(rebasing: file[dataOffset..<(dataOffset + byteCount)]),
                                       into: output, bigEndian: header.bigEndian)
        }
        return tensor
    }
}

// MARK: - Header

extension NPY {
    /// The validated header dict: element type, byte order and shape.
    struct Header {
        let elementType: ElementType
        let bigEndian: Bool
        let shape: [Int]

        /// Parses and checks the dict: exactly the keys `descr`, `fortran_order` and `shape`.
        init(_ bytes: [UInt8]) throws {
            var parser = PythonLiteralParser(bytes: bytes)
            guard case .dictionary(let members) = try parser.parseAll() else {
                throw FormatProblem("malformed header: it is not a Python dict")
            }
            var fields: [String: PythonLiteral] = [:]
            for (key, value) in members {
                guard case .string(let name) = key else { throw FormatProblem("malformed header: a key is not a string") }
                guard ["descr", "fortran_order", "shape"].contains(name) else {
                    throw FormatProblem("malformed header: unexpected key '\(name)'")
                }
                guard fields.updateValue(value, forKey: name) == nil else {
                    throw FormatProblem("malformed header: key '\(name)' appears twice")
                }
            }
            for name in ["descr", "fortran_order", "shape"] where fields[name] == nil {
                throw FormatProblem("malformed header: missing key '\(name)'")
            }
            switch fields["fortran_order"] {
            case .name("False"): break
            case .name("True"):
                throw FormatProblem("Fortran-ordered arrays are not supported; save with np.ascontiguousarray")
            default: throw FormatProblem("malformed header: fortran_order is not True or False")
            }
            let (type, bigEndian) = try Self.elementType(fields["descr"])
            elementType = type
            self.bigEndian = bigEndian
            shape = try Self.shape(fields["shape"])
        }

        /// The element type and byte order a `descr` names.
        private static func elementType(_ descr: PythonLiteral?) throws -> (ElementType, bigEndian: Bool) {
            guard case .string(let text) = descr else {
                if case .sequence = descr {
                    throw FormatProblem("structured arrays (a list of fields as descr) are not supported")
                }
                throw FormatProblem("malformed header: descr is not a string")
            }
            let order = text.first.flatMap { "<>|=".contains($0) ? $0 : nil }
            let code = order == nil ? Substring(text) : text.dropFirst()
            if code.hasPrefix("O") { throw FormatProblem("object arrays are not supported") }
            guard let type = ElementType(rawValue: String(code)) else {
                let supported = ElementType.allCases.map(\.rawValue).joined(separator: ", ")
                throw FormatProblem("unsupported dtype '\(text)' (supported: \(supported), either byte order)")
            }
            return (type, order == ">")
        }

        /// The shape tuple's entries, each a non-negative integer (Python 2's `3L` accepted).
        private static func shape(_ literal: PythonLiteral?) throws -> [Int] {
            guard case .sequence(let entries, isList: false) = literal else {
                throw FormatProblem("malformed header: shape is not a tuple")
            }
            return try entries.map { entry in
                guard case .number(let text) = entry,
                      let value = Int(text.hasSuffix("L") ? String(text.dropLast()) : text) else {
                    throw FormatProblem("malformed header: shape entry \(entry) is not an integer")
                }
                guard value >= 0 else { throw FormatProblem("malformed header: shape entry \(value) is negative") }
                return value
            }
        }

        /// The product of the shape, or a problem if it overflows `Int`.
        func elementCount() throws -> Int {
            try shape.reduce(1) { count, dimension in
                let (product, overflow) = count.multipliedReportingOverflow(by: dimension)
                guard !overflow else { throw FormatProblem("malformed header: shape \(shape) is too large") }
                return product
            }
        }
    }

    /// The element types read, by their `descr` code without the byte-order character.
    enum ElementType: String, CaseIterable {
        case float16 = "f2", float32 = "f4", float64 = "f8"
        case int8 = "i1", int16 = "i2", int32 = "i4", int64 = "i8"
        case uint8 = "u1", uint16 = "u2", uint32 = "u4", uint64 = "u8"
        case bool = "b1"

        var byteSize: Int {
            switch self {
            case .int8, .uint8, .bool: return 1
            case .float16, .int16, .uint16: return 2
            case .float32, .int32, .uint32: return 4
            case .float64, .int64, .uint64: return 8
            }
        }

        /// Converts `output.count` consecutive elements of this type in `bytes` to `Float`.
        func convert(_ bytes: UnsafeRawBufferPointer, into output: UnsafeMutableBufferPointer<Float>, bigEndian: Bool) {
            func each<Raw: FixedWidthInteger>(_ value: (Raw) -> Float) {
                let stride = MemoryLayout<Raw>.size
                for index in output.indices {
                    let raw = bytes.loadUnaligned(fromByteOffset: index * stride, as: Raw.self)
                    output[index] = value(bigEndian ? Raw(bigEndian: raw) : Raw(littleEndian: raw))
                }
            }
            switch self {
            case .float16: each { (bits: UInt16) in SafeTensors.floatFromHalf(bits) }
            case .float32: each { (bits: UInt32) in Float(bitPattern: bits) }
            case .float64: each { (bits: UInt64) in Float(Double(bitPattern: bits)) }
            case .int8: each { (raw: Int8) in Float(raw) }
            case .int16: each { (raw: Int16) in Float(raw) }
            case .int32: each { (raw: Int32) in Float(raw) }
            case .int64: each { (raw: Int64) in Float(raw) }
            case .uint8: each { (raw: UInt8) in Float(raw) }
            case .uint16: each { (raw: UInt16) in Float(raw) }
            case .uint32: each { (raw: UInt32) in Float(raw) }
            case .uint64: each { (raw: UInt64) in Float(raw) }
            case .bool: each { (raw: UInt8) in raw == 0 ? 0 : 1 }
            }
        }
    }
}

// MARK: - Little-endian helpers

extension UnsafeRawBufferPointer {
    /// The little-endian integer at `offset` (the caller checks the bounds).
    func littleEndian<T: FixedWidthInteger>(_ type: T.Type, at offset: Int) -> T {
        T(littleEndian: loadUnaligned(fromByteOffset: offset, as: T.self))
    }
}

extension Array where Element == UInt8 {
    /// Appends the little-endian bytes of `value`.
    mutating func appendLittleEndian<T: FixedWidthInteger>(_ value: T) {
        Swift.withUnsafeBytes(of: value.littleEndian) { append(contentsOf: $0) }
    }
}
