import Foundation
import STCore

/// Reads ONNX models (opsets 11–21, as `torch.onnx.export` writes them) into the engine's
/// `Graph`, so every explainer works on them as on the built-in architectures.
///
/// - Nodes keep their ONNX names; initializers become parameters (and batch-norm buffers) named
///   after themselves. Float32, float16/bfloat16/float64 (converted to float32) and integer
///   tensors are read, inline or from external-data files beside the model.
/// - Shape arithmetic (`Shape`, `Gather`, `Concat`, `Slice`, `Cast`, `ConstantOfShape`, `Range`, …)
///   is folded at the graph inputs' shapes; an input size the file leaves symbolic is taken from
///   `inputShapes`, or is 1 on the batch axis. Reshape targets keep the batch axis free.
/// - `supportedOperators` lists the op types read. Anything else — or a supported op used in a
///   way the engine cannot compute (a `Gather` whose indices are computed at run time) — is
///   reported in ONE `STError.badInput` listing every such op type with the first node that has it:
///   `unsupported operators: Erf (node /Erf), Resize (node /Resize)`.
/// - Other errors are `STError.badInput(file:reason:)` too: a truncated or corrupt file, an opset
///   outside 11–21, a model without weights (weights as graph inputs), a missing external-data
///   file, an initializer holding NaN (named), a node that reads an undefined value.
public enum ONNXImporter {
    /// Default-domain opset versions the importer reads.
    public static let supportedOpsets: ClosedRange<Int> = 11...21

    /// ONNX op types the importer reads (some only in the forms their converters describe).
    public static var supportedOperators: [String] {
        ONNXGraphConverter.convertedOperators.union(ONNXConstantFolding.foldable).sorted()
    }

    /// Reads the ONNX file at `path`; external-data files are looked up beside it.
    /// `inputShapes` fixes the shapes of graph inputs by name (batch axis included).
    public static func read(path: String, inputShapes: [String: [Int]] = [:]) throws -> ImportedModel {
        let data = try MappedFile.contents(of: path)
        let directory = (path as NSString).deletingLastPathComponent
        return try model(from: data, source: path, externalDataDirectory: directory.isEmpty ? "." : directory,
                         inputShapes: inputShapes)
    }

    /// Reads a serialised ONNX `ModelProto`. `source` names it in errors; external-data files
    /// are looked up in `externalDataDirectory` (a model with external data and no directory
    /// is an error).
    public static func model(from data: Data, source: String, externalDataDirectory: String? = nil,
                             inputShapes: [String: [Int]] = [:]) throws -> ImportedModel {
        let proto: Onnx_ModelProto
        do {
            proto = try Onnx_ModelProto(serializedBytes: data)
        } catch {
            throw STError.badInput(file: source, reason: "not an ONNX model: the protobuf is truncated or corrupt (\(error))")
        }
        guard proto.hasGraph, !proto.graph.node.isEmpty else {
            throw STError.badInput(file: source, reason: "not an ONNX model: it holds no graph nodes")
        }
        let opset = try defaultOpset(proto, source: source)
        guard proto.graph.sparseInitializer.isEmpty else {
            throw STError.badInput(file: source, reason: "sparse initializers are not read")
        }
        let decoding = ONNXTensorDecoding(source: source, externalDataDirectory: externalDataDirectory)
        var initializers: [String: ONNXConstant] = [:]
        for tensor in proto.graph.initializer {
            var value = try decoding.decode(tensor, role: "initializer '\(tensor.name)'")
            value.initializer = tensor.name
            initializers[tensor.name] = value
        }
        let inputs = try ONNXGraphInputs.shapes(of: proto.graph, initializers: Set(initializers.keys),
                                                overrides: inputShapes, source: source)
        let folding = ONNXConstantFolding(limit: ONNXConstantFolding.limit(modelBytes: data.count))
        var converter = ONNXGraphConverter(graph: proto.graph, inputs: inputs, initializers: initializers,
                                           opset: opset, decoding: decoding,
                                           folding: folding)
        let constantNodes = Dictionary(proto.graph.node.filter { $0.opType == "Constant" && $0.output.count == 1 }
            .map { ($0.output[0], $0) }, uniquingKeysWith: { first, _ in first })
        func constant(_ name: String) -> ONNXConstant? {
            initializers[name] ?? constantNodes[name].flatMap { node in
                node.attribute.first { $0.name == "value" && $0.type == .tensor }.flatMap { try? decoding.decode($0.t, role: "") }
            }
        }
        func scalar(_ name: String) -> Float? { constant(name).flatMap { $0.count == 1 ? $0.floats[0] : nil } }
        // Values computed from constants by foldable nodes (the dynamo exporter's ScatterND
        // indices: an unsqueezed slice of a range), evaluated on demand for the fusions.
        let producers = Dictionary(proto.graph.node.flatMap { node in node.output.map { ($0, node) } },
                                   uniquingKeysWith: { first, _ in first })
        var evaluated: [String: ONNXConstant?] = [:]
        func foldedConstant(_ name: String) -> ONNXConstant? {
            if let value = constant(name) { return value }
            if let known = evaluated[name] { return known }
            evaluated[name] = .some(nil)
            guard let node = producers[name], ONNXConstantFolding.foldable.contains(node.opType),
                  let output = node.output.firstIndex(of: name) else { return nil }
            var inputs: [ONNXConstant?] = []
            for input in node.input {
                guard !input.isEmpty else { inputs.append(nil); continue }
                guard let value = foldedConstant(input) else { return nil }
                inputs.append(value)
            }
            let outputs = try? folding.evaluateOutputs(ONNXNode(node, name: node.name), inputs: inputs, opset: opset,
                                                       decoding: decoding)
            let value = outputs.flatMap { output < $0.count ? $0[output] : nil }
            evaluated[name] = .some(value)
            return value
        }
        let nodes = ONNXBlockAddFusion.fused(
            ONNXLayerNormFusion.fused(ONNXGELUFusion.fused(proto.graph.node, scalar: scalar), opset: opset,
                                      scalar: scalar, integers: { constant($0)?.ints },
                                      isInitializer: { initializers[$0] != nil }),
            constant: foldedConstant, outputs: Set(proto.graph.output.map(\.name)))
        for node in nodes { try converter.convert(node) }
        let outputNames = proto.graph.output.map(\.name)
        let graph = try converter.finish(outputs: outputNames)
        let producer = [proto.producerName, proto.producerVersion].filter { !$0.isEmpty }.joined(separator: " ")
        return ImportedModel(graph: graph, opsetVersion: opset, irVersion: Int(proto.irVersion), producer: producer,
                             outputNames: outputNames, foldedNodeCount: converter.foldedCount)
    }

    /// The version of the default ONNX domain's opset, checked against `supportedOpsets`.
    private static func defaultOpset(_ proto: Onnx_ModelProto, source: String) throws -> Int {
        guard let entry = proto.opsetImport.first(where: { $0.domain.isEmpty || $0.domain == "ai.onnx" }) else {
            throw STError.badInput(file: source, reason: "the model declares no opset for the default ONNX domain")
        }
        let version = Int(entry.version)
        guard supportedOpsets.contains(version) else {
            throw STError.badInput(file: source, reason: "opset \(version) is outside the supported \(supportedOpsets.lowerBound)–"
                                   + "\(supportedOpsets.upperBound); export with opset_version in that range")
        }
        return version
    }
}
