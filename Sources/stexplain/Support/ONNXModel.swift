import ArgumentParser
import STCore
import STExplain
import STIO

/// How an ONNX model's input and tokens are read, from the command line.
struct ONNXOptions: ParsableArguments {
    @Option(help: "ONNX video models: the layout the model takes, ncthw or ntchw (default: read off the model's input; Hugging Face video models take ntchw). Inputs are explained as N × C × T × H × W either way.")
    var inputLayout: String?

    @Option(help: "Transformers: the token grid T,H,W (video) or H,W (images) of --layer's tokens (default: the patch embedding's, pooled to fit).")
    var tokenGrid: String?

    @Option(help: "Transformers: class tokens before the grid (default: inferred from the token count, 0–2).")
    var classTokens: Int?

    func validate() throws {
        if let inputLayout, ![ONNXModel.channelsFirst, ONNXModel.framesFirst].contains(inputLayout) {
            throw ValidationError("--input-layout takes ncthw or ntchw, got '\(inputLayout)'")
        }
        if let tokenGrid, grid == nil { throw ValidationError("--token-grid takes 2 or 3 positive sizes, got '\(tokenGrid)'") }
        if let classTokens, classTokens < 0 { throw ValidationError("--class-tokens must not be negative") }
    }

    /// `--token-grid` as sizes.
    var grid: [Int]? {
        guard let tokenGrid else { return nil }
        let sizes = tokenGrid.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
        return (2...3).contains(sizes.count) && sizes.allSatisfy({ $0 > 0 }) && sizes.count == tokenGrid.split(separator: ",").count
            ? sizes : nil
    }
}

/// An ONNX file as an explainable model: imported at the input's shape, with the
/// `ModelDescription` a built-in architecture would state read off the graph — its kind from the
/// input's rank (N × C × H × W images; clips, or skeletons when the graph aggregates over a
/// joint graph), classification over the output's last axis.
///
/// - Clips are explained as N × C × T × H × W. A model that takes N × T × C × H × W (Hugging
///   Face's video transformers; read off its input, whose third axis is then the 3 colour
///   channels) gets a `Permute` in front, so maps, pictures and metrics see the usual layout.
/// - Transformers (layer normalisation over tokens (N, L, D) or channels-last maps, as Swin and
///   ConvNeXt) get a `TokenGrid`: the first convolution's output grid (the patch or tubelet
///   embedding; its frames for a per-frame 2D embedding), so CAM methods on token layers and
///   channels-last maps map back to space-time.
/// - The default layer: the input of the last global pooling (named by its PyTorch module when
///   the export kept one, e.g. `layer4`; for token models a mean over the tokens); for
///   transformers that read a class token instead, the input of the last block (the residual
///   stream before the last attention), whose patch tokens the class token still attends to.
enum ONNXModel {
    static let channelsFirst = "ncthw"
    static let framesFirst = "ntchw"

    static func explainable(path: String, inputShape: [Int], input: String, options: ONNXOptions) throws -> ExplainedModel {
        var graph = try ONNXImporter.read(path: path, inputShapes: [:]).graph
        let declared = graph.inputs[0].shape
        let framesFirst = declared.count == 5
            && (options.inputLayout.map { $0 == Self.framesFirst } ?? (declared[2] == 3 && declared[1] != 3))
        if framesFirst {
            let order = [0, 2, 1, 3, 4]
            graph = try graph.adapted(by: Permute(order), input: "\(graph.inputs[0].name).ncthw", shape: order.map { declared[$0] })
        }
        let expected = graph.inputs[0].shape
        guard Self.fits(inputShape, expected) || (framesFirst && Self.fits(inputShape, declared)) else {
            throw STError.badInput(file: input, reason: "input of shape \(inputShape) does not fit \(path), which takes "
                                   + "N × \(declared.dropFirst().map(String.init).joined(separator: " × "))"
                                   + (framesFirst ? " (or N × \(expected.dropFirst().map(String.init).joined(separator: " × ")))" : ""))
        }
        let kind: InputKind = inputShape.count == 4 ? .image
            : graph.nodes.contains { $0.op is GraphAggregation } ? .skeleton : .video
        // The adapter keeps every node's name and shape, so one inference serves the graph's own
        // nodes and the model's.
        let shapes = try graph.inferShapes([graph.inputs[0].name: expected])
        let layerNormInputs = graph.nodes.filter { $0.op is LayerNorm }.compactMap { shapes[$0.inputs[0]] }
        let tokenGrid = try tokenGrid(of: graph, shapes: shapes, normalizes: !layerNormInputs.filter { $0.count >= 3 }.isEmpty,
                                      kind: kind, options: options)
        let description = ModelDescription(inputKind: kind,
                                           defaultLayer: defaultLayer(of: graph, shapes: shapes,
                                                                      stream: layerNormInputs.last { $0.count == 3 }),
                                           task: .classification(classes: shapes[graph.output]?.last ?? 1),
                                           tokenGrid: tokenGrid)
        return ExplainedModel(graph: graph, description: description)
    }

    /// `tensor` in the layout `model` is explained in: a clip given in the model's own N × T × C ×
    /// H × W layout is permuted to N × C × T × H × W.
    static func conformed(_ tensor: Tensor, to model: ExplainedModel) throws -> Tensor {
        let expected = model.graph.inputs[0].shape
        guard tensor.rank == 5, !fits(tensor.shape, expected), model.graph.nodes.first?.op is Permute else { return tensor }
        var context = ForwardContext()
        return try Permute([0, 2, 1, 3, 4]).forward([tensor], parameters: [], context: &context).value
    }

    private static func fits(_ shape: [Int], _ expected: [Int]) -> Bool {
        shape.count == expected.count && Array(shape.dropFirst()) == Array(expected.dropFirst())
    }

    /// The token grid of a transformer — a model that `normalizes` tokens or channels-last maps
    /// with layer norms (nil for other models): the user's, or the first convolution's output
    /// grid, with the frames of a per-frame 2D embedding in front.
    private static func tokenGrid(of graph: Graph, shapes: [String: [Int]], normalizes: Bool, kind: InputKind,
                                  options: ONNXOptions) throws -> TokenGrid? {
        if let grid = options.grid { return TokenGrid(grid: grid, classTokens: options.classTokens, isExact: true) }
        guard normalizes, let embedding = graph.nodes.first(where: { $0.op is Convolution }),
              let output = shapes[embedding.name] else { return nil }
        var grid = Array(output.dropFirst(2))
        if kind == .video && grid.count == 2 { grid.insert(output[0] / max(graph.inputs[0].shape[0], 1), at: 0) }
        return TokenGrid(grid: grid, classTokens: options.classTokens)
    }

    /// The input of the last global pooling — a pooling or mean that takes a map of more than one
    /// cell to one cell; for token models, whose residual `stream` (N, L, D) the last layer norm
    /// of tokens reads, a mean over the stream's tokens. Failing that, for token models the last
    /// residual sum of the stream's shape before the last softmax; else the last node. Named by
    /// its shortest alias when it has one.
    static func defaultLayer(of graph: Graph, shapes: [String: [Int]], stream: [Int]?) -> String {
        let pool = graph.nodes.last { node in
            guard stream != nil else {
                guard node.op is AdaptiveAveragePool || node.op is Mean || node.op is Pooling,
                      let input = shapes[node.inputs[0]], let output = shapes[node.name] else { return false }
                return input.dropFirst(2).reduce(1, *) > 1 && output.dropFirst(2).reduce(1, *) == 1
            }
            return (node.op as? Mean)?.axes == [1] && shapes[node.inputs[0]] == stream
        }
        var feature = pool?.inputs.first
        if feature == nil, let stream, let lastSoftmax = graph.nodes.lastIndex(where: { $0.op is Softmax }) {
            feature = graph.nodes[..<lastSoftmax].last { $0.op is Add && shapes[$0.name] == stream }?.name
        }
        guard let feature else { return graph.nodes.last?.name ?? graph.output }
        let aliases = graph.aliases.filter { $0.value == feature }.map(\.key).sorted { ($0.count, $0) < ($1.count, $1) }
        return aliases.first ?? feature
    }
}
