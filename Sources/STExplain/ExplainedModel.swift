import STCore

/// A network together with what explainers need to know about it beyond its graph: the kind of
/// input, the layer CAM methods read by default, and what its output means (`ModelDescription`).
public struct ExplainedModel: Sendable {
    /// The network; node names are the ones `--layer` and the CAM explainers' `layer` take.
    public var graph: Graph
    /// What the network says about itself: input kind, default layer, task, attention node and
    /// token grid.
    public var modelDescription: ModelDescription

    /// A model from any graph — a built-in architecture's (with `Architecture.modelDescription`),
    /// an ONNX import or a hand-built `Graph`; `description.defaultLayer` must name one of its
    /// nodes or aliases.
    public init(graph: Graph, description: ModelDescription) {
        self.graph = graph
        self.modelDescription = description
    }

    /// Video, image or skeleton: decides map shapes, upsampling and occlusion regions.
    public var inputKind: InputKind { modelDescription.inputKind }
    /// The layer CAM-family methods use when none is given (DESIGN §4).
    public var defaultLayer: String { modelDescription.defaultLayer }
    /// Classification (class targets, top-k) or regression (output and loss targets).
    public var task: ModelDescription.Task { modelDescription.task }
    /// The node holding per-frame softmax attention weights (`N × T`), if the model has one.
    public var attentionNode: String? { modelDescription.attentionNode }
    /// How token layers (N, L, D) map back to space-time, for transformers.
    public var tokenGrid: TokenGrid? { modelDescription.tokenGrid }

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
