/// What a network says about itself beyond its graph, which explainers and metrics read: the
/// kind of input it takes, the layer CAM-family methods use by default, what its output means,
/// where its attention weights are and how its tokens lay out in space-time.
///
/// Built-in architectures state theirs (`Architecture.modelDescription` in STModels); for an
/// ONNX file the loader reads one off the imported graph, so every explainer sees the same value
/// whichever way a model arrives.
public struct ModelDescription: Sendable, Equatable {
    /// What the output means: class scores or regression values.
    public enum Task: Sendable, Equatable {
        /// `N × classes` scores, one per class (logits before any softmax).
        case classification(classes: Int)
        /// Real-valued outputs, explained through the outputs themselves or a loss.
        case regression
    }

    /// Video, image or skeleton: decides map shapes, upsampling and occlusion regions.
    public var inputKind: InputKind
    /// The layer CAM-family methods use when none is given (DESIGN §4); a node name or alias.
    public var defaultLayer: String
    /// Classification (class targets, top-k) or regression (output and loss targets).
    public var task: Task
    /// The node holding per-frame softmax attention weights (`N × T`), if the model has one.
    public var attentionNode: String?
    /// How token layers (N, L, D) map back to space-time, for transformers.
    public var tokenGrid: TokenGrid?

    public init(inputKind: InputKind, defaultLayer: String, task: Task, attentionNode: String? = nil,
                tokenGrid: TokenGrid? = nil) {
        self.inputKind = inputKind
        self.defaultLayer = defaultLayer
        self.task = task
        self.attentionNode = attentionNode
        self.tokenGrid = tokenGrid
    }
}
