import ArgumentParser
import Foundation
import STCore
import STIO
import STModels

/// `stexplain layers`: the layers `--layer` can name, with their output shapes and the default.
struct LayersCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "layers",
        abstract: "List a model's explainable layers with their output shapes and the default layer.",
        discussion: """
            Lists every node whose output keeps a spatial, temporal or token axis (rank ≥ 3), by \
            its PyTorch module name where the model has one (the node name otherwise), with its \
            operation and output shape for the model's input (an ONNX file's declared input, a \
            built-in architecture's published one, or --input's). The default layer of CAM \
            methods is marked with *.

            Examples:
              stexplain layers --model r3d_18
              stexplain layers --model vit_b_16.onnx --json
              stexplain layers --model videomae.onnx --input clip.npy
            """)

    @Option(help: "Built-in architecture name, an ONNX file, a .safetensors file written by `stexplain train`, or a directory holding model.safetensors.")
    var model: String

    @OptionGroup(title: "ONNX models")
    var onnx: ONNXOptions

    @Option(help: "An input whose shape to use (.npy, video or .skeleton; default: the model's own input shape).")
    var input: String?

    @Flag(help: "Print JSON instead of a table.")
    var json = false

    struct Row: Codable {
        var layer: String
        var node: String
        var operation: String
        var shape: [Int]
        var isDefault: Bool

        enum CodingKeys: String, CodingKey {
            case layer, node, operation, shape
            case isDefault = "default"
        }
    }

    func run() throws {
        let shape = try inputShape()
        let loading = ModelLoading(model: model, weights: nil, strict: false, randomWeights: true, onnx: onnx)
        let (explained, _) = try loading.load(inputShape: shape, input: input ?? model)
        let graph = explained.graph
        let shapes = try graph.inferShapes([graph.inputs[0].name: [1] + graph.inputs[0].shape.dropFirst()])
        let defaultNode = try graph.resolve(explained.defaultLayer)
        var aliases: [String: [String]] = [:]
        for (alias, node) in graph.aliases { aliases[node, default: []].append(alias) }
        let rows = graph.nodes.compactMap { node -> Row? in
            guard let shape = shapes[node.name], shape.count >= 3, !node.inputs.isEmpty else { return nil }
            let name = aliases[node.name]?.min { ($0.count, $0) < ($1.count, $1) } ?? node.name
            return Row(layer: name, node: node.name, operation: node.op.typeName, shape: shape, isDefault: node.name == defaultNode)
        }
        if json {
            try JSONOutput.print(rows)
            return
        }
        let cells = rows.map { row in
            [(row.isDefault ? "* " : "  ") + row.layer, row.operation, row.shape.map(String.init).joined(separator: "×")]
        }
        print(TextTable(header: ["layer", "operation", "output"], rows: cells).rendered)
        print("* default layer of CAM methods: \(explained.defaultLayer)"
              + (explained.tokenGrid.map { ", token grid \($0.grid.map(String.init).joined(separator: "×")) at the embedding" } ?? ""))
    }

    /// --input's shape, else the ONNX file's declared input, else the architecture's published one.
    private func inputShape() throws -> [Int] {
        if let input {
            return try InputLoading(frames: 16, start: 0, stride: 1, preset: .kinetics, windowHop: nil, skeletonLayout: nil)
                .load(input).shape
        }
        if model.hasSuffix(".onnx") { return try ONNXImporter.read(path: model).graph.inputs[0].shape }
        guard ModelSpec.architectures.contains(model) else {
            throw STError.invalidRequest("give --input for a trained model's input shape")
        }
        return try ModelSpec.published(model).inputShape
    }
}
