import Foundation

/// One ONNX node as the converters read it: its engine name, its inputs (absent optional inputs
/// as nil) and typed access to its attributes. Attribute errors are `ONNXImportIssue.malformed`.
struct ONNXNode {
    let proto: Onnx_NodeProto
    /// The engine node name: the ONNX node name, or its first output's name when that is empty.
    let name: String
    private let attributes: [String: Onnx_AttributeProto]

    init(_ proto: Onnx_NodeProto, name: String) {
        self.proto = proto
        self.name = name
        attributes = Dictionary(proto.attribute.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
    }

    var opType: String { proto.opType }
    var outputs: [String] { proto.output }

    /// The name of input `index`, or nil when it is absent (past the end or the empty string).
    func input(_ index: Int) -> String? {
        index < proto.input.count && !proto.input[index].isEmpty ? proto.input[index] : nil
    }

    /// The names of the inputs that are present.
    var presentInputs: [String] { proto.input.filter { !$0.isEmpty } }

    func has(_ attribute: String) -> Bool { attributes[attribute] != nil }

    func int(_ name: String) throws -> Int? {
        guard let attribute = attributes[name] else { return nil }
        guard attribute.type == .int else { throw wrongType(name, "an integer") }
        return Int(attribute.i)
    }

    func int(_ name: String, default value: Int) throws -> Int { try int(name) ?? value }

    func ints(_ name: String) throws -> [Int]? {
        guard let attribute = attributes[name] else { return nil }
        guard attribute.type == .ints else { throw wrongType(name, "a list of integers") }
        return attribute.ints.map { Int($0) }
    }

    func float(_ name: String) throws -> Float? {
        guard let attribute = attributes[name] else { return nil }
        guard attribute.type == .float else { throw wrongType(name, "a float") }
        return attribute.f
    }

    func float(_ name: String, default value: Float) throws -> Float { try float(name) ?? value }

    func floats(_ name: String) throws -> [Float]? {
        guard let attribute = attributes[name] else { return nil }
        guard attribute.type == .floats else { throw wrongType(name, "a list of floats") }
        return attribute.floats
    }

    func string(_ name: String) throws -> String? {
        guard let attribute = attributes[name] else { return nil }
        guard attribute.type == .string else { throw wrongType(name, "a string") }
        return String(decoding: attribute.s, as: UTF8.self)
    }

    func strings(_ name: String) throws -> [String]? {
        guard let attribute = attributes[name] else { return nil }
        guard attribute.type == .strings else { throw wrongType(name, "a list of strings") }
        return attribute.strings.map { String(decoding: $0, as: UTF8.self) }
    }

    func tensor(_ name: String) throws -> Onnx_TensorProto? {
        guard let attribute = attributes[name] else { return nil }
        guard attribute.type == .tensor else { throw wrongType(name, "a tensor") }
        return attribute.t
    }

    func graph(_ name: String) throws -> Onnx_GraphProto? {
        guard let attribute = attributes[name] else { return nil }
        guard attribute.type == .graph else { throw wrongType(name, "a graph") }
        return attribute.g
    }

    private func wrongType(_ attribute: String, _ expected: String) -> ONNXImportIssue {
        .malformed("attribute '\(attribute)' is not \(expected)")
    }
}
