import STCore

/// A model read from an ONNX file by `ONNXImporter`: the engine graph and what the file said
/// about itself.
public struct ImportedModel: Sendable {
    /// The engine graph. Node names are the ONNX node names (or the first output's name when a
    /// node has none); parameters are named after their initializers (state_dict names when the
    /// file comes from `torch.onnx.export`); PyTorch module paths recovered from scoped node names
    /// (`layer4`, `layer4.1.conv2`) and the ONNX output name are aliases.
    public let graph: Graph
    /// Version of the default-domain opset the file imports.
    public let opsetVersion: Int
    /// ONNX IR version of the file.
    public let irVersion: Int
    /// The program that wrote the file, e.g. `pytorch 2.5.1`; empty when unrecorded.
    public let producer: String
    /// Names of the ONNX graph outputs; `graph.output` computes the first.
    public let outputNames: [String]
    /// ONNX nodes evaluated at import time (constants and shape arithmetic) instead of becoming
    /// engine nodes.
    public let foldedNodeCount: Int
}
