import STCore
import STModels

/// A network together with what explainers need to know about it beyond its graph: the kind of
/// input, the layer CAM methods read by default, and what its output means.
public struct ExplainedModel: Sendable {
    /// What the output means: class scores or regression values.
    public enum Task: Sendable, Equatable {
        case classification(classes: Int)
        case regression
    }

    /// The network; node names are the ones `--layer` and `ExplainOptions.layer` take.
    public var graph: Graph
    /// Video, image or skeleton: decides map shapes, upsampling and occlusion regions.
    public var inputKind: InputKind
    /// The layer CAM-family methods use when none is given (DESIGN §4).
    public var defaultLayer: String
    /// Classification (class targets, top-k) or regression (output and loss targets).
    public var task: Task
    /// The node holding per-frame softmax attention weights (`N × T`), if the model has one.
    public var attentionNode: String?
    /// How token layers (N, L, D) map back to space-time, for transformers.
    public var tokenGrid: TokenGrid?

    /// A model from any graph (an ONNX import, a hand-built `Graph`); `defaultLayer` must name one
    /// of its nodes or aliases.
    public init(graph: Graph, inputKind: InputKind, defaultLayer: String, task: Task, attentionNode: String? = nil,
                tokenGrid: TokenGrid? = nil) {
        self.tokenGrid = tokenGrid
        self.graph = graph
        self.inputKind = inputKind
        self.defaultLayer = defaultLayer
        self.task = task
        self.attentionNode = attentionNode
    }

    /// A built-in architecture with the weights in `graph` (built from `spec`).
    public init(spec: ModelSpec, graph: Graph) throws {
        let architecture = try spec.makeArchitecture()
        let kinds: [String: InputKind] = ["st_gcn": .skeleton, "posenet": .image, "small_cam_net_2d": .image]
        self.init(graph: graph, inputKind: kinds[spec.architecture] ?? .video,
                  defaultLayer: architecture.defaultLayer,
                  task: spec.architecture == "posenet" ? .regression : .classification(classes: spec.classes),
                  attentionNode: spec.architecture == "cnn_lstm_attention" ? CNNLSTM.attentionWeights : nil)
    }

    /// The graph's input name.
    public var inputName: String { graph.inputs[0].name }

    /// Checks that `input` fits the model: rank and every axis but the batch.
    public func validate(input: Tensor, source: String) throws {
        let expected = graph.inputs[0].shape
        guard input.rank == expected.count, Array(input.shape.dropFirst()) == Array(expected.dropFirst()) else {
            throw STError.badInput(file: source, reason: "input of shape \(input.shape) does not fit the model, "
                                   + "which takes \(["N"] + expected.dropFirst().map(String.init)) (N any batch)")
        }
        guard input.shape[0] >= 1 else {
            throw STError.badInput(file: source, reason: "input holds no samples (batch 0)")
        }
        guard input.scalars.allSatisfy(\.isFinite) else {
            throw STError.badInput(file: source, reason: "input contains NaN or infinite values")
        }
    }

    /// Resolves a layer name, or throws listing the nearest valid names.
    public func resolveLayer(_ name: String?) throws -> String {
        let layer = name ?? defaultLayer
        if (try? graph.resolve(layer)) != nil { return layer }
        let candidates = graph.nodes.map(\.name) + graph.aliases.keys
        let nearest = NearestNames.nearest(to: layer, among: candidates, count: 5)
        throw STError.invalidRequest("no layer named '\(layer)'; nearest: " + nearest.joined(separator: ", "))
    }
}

extension ExplainedModel {
    /// A forward pass that keeps `nodes` (and the attention weights) and fuses everything else.
    /// `gradientsFrom`: the nodes later reverse passes stop at (nil: the input).
    func forward(_ input: Tensor, observing nodes: [String] = [], differentiable: Bool = true,
                 gradientsFrom: [String]? = nil) throws -> Trace {
        let observe = Set(nodes + (attentionNode.map { [$0] } ?? []))
        return try graph.forward(input, options: ForwardOptions(observe: observe, differentiable: differentiable,
                                                                gradientsFrom: gradientsFrom.map(Set.init)))
    }
}
