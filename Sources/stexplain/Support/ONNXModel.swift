import STCore
import STExplain
import STIO

/// An ONNX file as an explainable model: imported at the input's shape, its kind read off the
/// input's rank (N × C × H × W images; N × C × T × H × W clips, or skeletons when the graph
/// aggregates over a joint graph), classification over the output's last axis, and as default
/// layer the input of the last global average pool (named by its PyTorch module when the
/// export kept one, e.g. `layer4`).
enum ONNXModel {
    static func explainable(path: String, inputShape: [Int], input: String) throws -> ExplainedModel {
        let graph = try ONNXImporter.read(path: path, inputShapes: [:]).graph
        let expected = graph.inputs[0].shape
        guard expected.count == inputShape.count, Array(expected.dropFirst()) == Array(inputShape.dropFirst()) else {
            throw STError.badInput(file: input, reason: "input of shape \(inputShape) does not fit \(path), which takes "
                                   + "N × \(expected.dropFirst().map(String.init).joined(separator: " × "))")
        }
        let kind: InputKind = inputShape.count == 4 ? .image
            : graph.nodes.contains { $0.op is GraphAggregation } ? .skeleton : .video
        let outputShape = try graph.inferShapes([graph.inputs[0].name: expected])[graph.output] ?? []
        return ExplainedModel(graph: graph, inputKind: kind, defaultLayer: defaultLayer(of: graph),
                              task: .classification(classes: outputShape.last ?? 1))
    }

    /// The input of the last global pooling node, by its shortest alias when it has one.
    static func defaultLayer(of graph: Graph) -> String {
        guard let pool = graph.nodes.last(where: { $0.op is AdaptiveAveragePool || $0.op is Mean }),
              let feature = pool.inputs.first else { return graph.nodes.last?.name ?? graph.output }
        let aliases = graph.aliases.filter { $0.value == feature }.map(\.key).sorted { ($0.count, $0) < ($1.count, $1) }
        return aliases.first ?? feature
    }
}
