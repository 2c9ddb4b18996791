import Foundation
import SwiftProtobuf
import STCore
@testable import STIO

/// Imports an in-memory model as `test.onnx`.
func importONNXModel(_ builder: ONNXModelBuilder) throws -> ImportedModel {
    try ONNXImporter.model(from: try builder.serialized(), source: "test.onnx")
}

/// An imported graph's output for one input tensor (inference, nothing else kept).
func onnxOutput(_ model: ImportedModel, _ input: Tensor) throws -> Tensor {
    try model.graph.forward(input, options: ForwardOptions(observe: [], differentiable: false)).output
}

/// Writes small ONNX models with the generated message types, for the importer's tests.
struct ONNXModelBuilder {
    var graph = Onnx_GraphProto()
    var opset: Int64

    init(opset: Int64 = 17) {
        self.opset = opset
        graph.name = "test"
    }

    /// A float32 graph input; nil sizes are symbolic (`dim_param` "batch").
    mutating func input(_ name: String, shape: [Int?]) {
        var tensor = Onnx_TypeProto.Tensor()
        tensor.elemType = Int32(Onnx_TensorProto.DataType.float.rawValue)
        tensor.shape.dim = shape.map { size in
            var dimension = Onnx_TensorShapeProto.Dimension()
            if let size { dimension.dimValue = Int64(size) } else { dimension.dimParam = "batch" }
            return dimension
        }
        var info = Onnx_ValueInfoProto()
        info.name = name
        info.type.tensorType = tensor
        graph.input.append(info)
    }

    mutating func output(_ name: String) {
        var info = Onnx_ValueInfoProto()
        info.name = name
        graph.output.append(info)
    }

    mutating func initializer(_ name: String, shape: [Int], floats: [Float]) {
        graph.initializer.append(floatTensor(name, shape: shape, floats))
    }

    mutating func initializer(_ name: String, shape: [Int], int64s: [Int]) {
        graph.initializer.append(int64Tensor(name, shape: shape, int64s))
    }

    mutating func initializer(_ tensor: Onnx_TensorProto) {
        graph.initializer.append(tensor)
    }

    mutating func node(_ op: String, _ inputs: [String], _ outputs: [String], name: String = "",
                       _ attributes: [Onnx_AttributeProto] = []) {
        var node = Onnx_NodeProto()
        node.opType = op
        node.name = name
        node.input = inputs
        node.output = outputs
        node.attribute = attributes
        graph.node.append(node)
    }

    /// A `Constant` node whose value is an int64 tensor.
    mutating func constant(_ output: String, shape: [Int], int64s: [Int]) {
        node("Constant", [], [output], [tensorAttribute("value", int64Tensor("", shape: shape, int64s))])
    }

    var model: Onnx_ModelProto {
        var model = Onnx_ModelProto()
        model.irVersion = 8
        model.producerName = "stexplain-tests"
        var opsetID = Onnx_OperatorSetIdProto()
        opsetID.version = opset
        model.opsetImport = [opsetID]
        model.graph = graph
        return model
    }

    func serialized() throws -> Data {
        try model.serializedData()
    }
}

func floatTensor(_ name: String, shape: [Int], _ values: [Float]) -> Onnx_TensorProto {
    var tensor = Onnx_TensorProto()
    tensor.name = name
    tensor.dims = shape.map { Int64($0) }
    tensor.dataType = Int32(Onnx_TensorProto.DataType.float.rawValue)
    tensor.rawData = Data(float32Bytes(values))
    return tensor
}

func int64Tensor(_ name: String, shape: [Int], _ values: [Int]) -> Onnx_TensorProto {
    var tensor = Onnx_TensorProto()
    tensor.name = name
    tensor.dims = shape.map { Int64($0) }
    tensor.dataType = Int32(Onnx_TensorProto.DataType.int64.rawValue)
    tensor.int64Data = values.map { Int64($0) }
    return tensor
}

/// An attribute of the given type, its value set by `assign`.
private func attribute(_ name: String, _ type: Onnx_AttributeProto.AttributeType,
                       _ assign: (inout Onnx_AttributeProto) -> Void) -> Onnx_AttributeProto {
    var attribute = Onnx_AttributeProto()
    attribute.name = name
    attribute.type = type
    assign(&attribute)
    return attribute
}

func intAttribute(_ name: String, _ value: Int) -> Onnx_AttributeProto {
    attribute(name, .int) { $0.i = Int64(value) }
}

func intsAttribute(_ name: String, _ values: [Int]) -> Onnx_AttributeProto {
    attribute(name, .ints) { $0.ints = values.map { Int64($0) } }
}

func floatAttribute(_ name: String, _ value: Float) -> Onnx_AttributeProto {
    attribute(name, .float) { $0.f = value }
}

func stringAttribute(_ name: String, _ value: String) -> Onnx_AttributeProto {
    attribute(name, .string) { $0.s = Data(value.utf8) }
}

func tensorAttribute(_ name: String, _ value: Onnx_TensorProto) -> Onnx_AttributeProto {
    attribute(name, .tensor) { $0.t = value }
}

func graphAttribute(_ name: String, _ value: Onnx_GraphProto) -> Onnx_AttributeProto {
    attribute(name, .graph) { $0.g = value }
}
