import Foundation
import STCore

/// Decodes `TensorProto`s (initializers and `Constant` values) into `ONNXConstant`s.
///
/// Floating types (float32, float16, bfloat16, float64) become `Float`; integer and boolean types
/// become `Int`. Elements come from `raw_data` (little-endian) or the typed repeated fields, or
/// from an external-data file beside the model. A float tensor holding NaN is an error naming it.
struct ONNXTensorDecoding {
    /// The model file, for error messages.
    let source: String
    /// Where external-data files live (the model's directory); nil when the model came from memory.
    let externalDataDirectory: String?

    /// The tensor's value; `role` names it in errors ("initializer 'fc.weight'").
    func decode(_ proto: Onnx_TensorProto, role: String) throws -> ONNXConstant {
        guard proto.dims.allSatisfy({ $0 >= 0 && $0 <= Int64(Int32.max) }) else {
            throw fail("\(role) has an invalid shape \(proto.dims)")
        }
        let shape = proto.dims.map { Int($0) }
        let (count, overflow) = shape.reduce((1, false)) { partial, size in
            let product = partial.0.multipliedReportingOverflow(by: size)
            return (product.partialValue, partial.1 || product.overflow)
        }
        guard !overflow else { throw fail("\(role) has an invalid shape \(shape)") }
        let raw = proto.dataLocation == .external ? try externalData(proto, role: role) : proto.rawData
        let type = Onnx_TensorProto.DataType(rawValue: Int(proto.dataType)) ?? .undefined
        let decoded = try elements(proto, type: type, raw: raw, count: count, role: role)
        if case .float(let values) = decoded, values.contains(where: \.isNaN) {
            throw fail("\(role) holds NaN values")
        }
        return ONNXConstant(shape: shape, elements: decoded)
    }

    private func elements(_ proto: Onnx_TensorProto, type: Onnx_TensorProto.DataType, raw: Data, count: Int,
                          role: String) throws -> ONNXConstant.Elements {
        func checked<T>(_ values: [T]) throws -> [T] {
            guard values.count == count else {
                throw fail("\(role) holds \(values.count) values for \(count) elements")
            }
            return values
        }
        func fromRaw<T: FixedWidthInteger>(_: T.Type, or field: [T]) throws -> [T] {
            guard !raw.isEmpty else { return try checked(field) }
            guard count <= raw.count, raw.count == count * MemoryLayout<T>.size else {
                throw fail("\(role) has \(raw.count) bytes of data for \(count) elements of \(MemoryLayout<T>.size) bytes")
            }
            return raw.withUnsafeBytes { bytes in
                (0..<count).map { T(littleEndian: bytes.loadUnaligned(fromByteOffset: $0 * MemoryLayout<T>.size, as: T.self)) }
            }
        }
        switch type {
        case .float:
            return .float(try fromRaw(UInt32.self, or: proto.floatData.map(\.bitPattern)).map(Float.init(bitPattern:)))
        case .float16:
            return .float(try fromRaw(UInt16.self, or: proto.int32Data.map { UInt16(truncatingIfNeeded: $0) })
                .map(Self.float(fromHalf:)))
        case .bfloat16:
            return .float(try fromRaw(UInt16.self, or: proto.int32Data.map { UInt16(truncatingIfNeeded: $0) })
                .map { Float(bitPattern: UInt32($0) << 16) })
        case .double:
            return .float(try fromRaw(UInt64.self, or: proto.doubleData.map(\.bitPattern))
                .map { Float(Double(bitPattern: $0)) })
        case .int64:
            return .int(try fromRaw(Int64.self, or: proto.int64Data).map { Int($0) })
        case .int32:
            return .int(try fromRaw(Int32.self, or: proto.int32Data).map { Int($0) })
        case .int16:
            return .int(try fromRaw(Int16.self, or: proto.int32Data.map { Int16(truncatingIfNeeded: $0) }).map { Int($0) })
        case .int8:
            return .int(try fromRaw(Int8.self, or: proto.int32Data.map { Int8(truncatingIfNeeded: $0) }).map { Int($0) })
        case .uint8, .bool:
            return .int(try fromRaw(UInt8.self, or: proto.int32Data.map { UInt8(truncatingIfNeeded: $0) }).map { Int($0) })
        case .uint16:
            return .int(try fromRaw(UInt16.self, or: proto.int32Data.map { UInt16(truncatingIfNeeded: $0) }).map { Int($0) })
        case .uint32:
            return .int(try fromRaw(UInt32.self, or: proto.uint64Data.map { UInt32(truncatingIfNeeded: $0) }).map { Int($0) })
        case .uint64:
            return .int(try fromRaw(UInt64.self, or: proto.uint64Data).map { Int(truncatingIfNeeded: $0) })
        default:
            throw fail("\(role) has data type \(type), which the importer does not read")
        }
    }

    /// The bytes of an external-data tensor: `location` relative to the model's directory, from
    /// `offset` (default 0) for `length` bytes (default: to the end of the file).
    private func externalData(_ proto: Onnx_TensorProto, role: String) throws -> Data {
        let entries = Dictionary(proto.externalData.map { ($0.key, $0.value) }, uniquingKeysWith: { first, _ in first })
        guard let location = entries["location"], !location.isEmpty else {
            throw fail("\(role) is marked external but names no 'location'")
        }
        guard !location.hasPrefix("/"), !location.split(separator: "/").contains("..") else {
            throw fail("\(role) names the external-data file '\(location)', which lies outside the model's directory")
        }
        guard let directory = externalDataDirectory else {
            throw fail("\(role) is stored in the external-data file '\(location)', but the model was read from memory; read it from its file")
        }
        let path = (directory as NSString).appendingPathComponent(location)
        guard FileManager.default.fileExists(atPath: path) else {
            throw fail("\(role) is stored in the external-data file '\(location)', which is missing (looked for \(path))")
        }
        guard let data = try? Data(contentsOf: URL(fileURLWithPath: path), options: .alwaysMapped) else {
            throw fail("cannot read the external-data file \(path)")
        }
        let offset = Int(entries["offset"] ?? "0") ?? -1
        let length = entries["length"].map { Int($0) ?? -1 } ?? (data.count - offset)
        guard offset >= 0, length >= 0, offset <= data.count, length <= data.count - offset else {
            throw fail("\(role) reads bytes \(entries["offset"] ?? "0") + \(entries["length"] ?? "all") of \(path), which has \(data.count)")
        }
        return data.subdata(in: offset..<(offset + length))
    }

    private func fail(_ reason: String) -> STError {
        .badInput(file: source, reason: reason)
    }

    /// IEEE 754 binary16 → binary32: sign, 5-bit exponent (bias 15), 10-bit fraction;
    /// exponent 0 is ±fraction·2⁻²⁴ (zero or subnormal), exponent 31 is ±∞ or NaN.
    static func float(fromHalf bits: UInt16) -> Float {
        let sign: Float = bits & 0x8000 == 0 ? 1 : -1
        let exponent = Int(bits >> 10) & 0x1f
        let fraction = UInt32(bits & 0x3ff)
        switch exponent {
        case 0:
            return sign * Float(fraction) * 0x1p-24
        case 31:
            return fraction == 0 ? sign * .infinity : .nan
        default:
            let magnitude = Float(bitPattern: UInt32(exponent - 15 + 127) << 23 | fraction << 13)
            return sign * magnitude
        }
    }
}
