import STCore

/// The result of explaining a batch of N inputs with one method (DESIGN §4, §6).
public struct Explanation: Sendable {
    /// A class and its raw score (logit) and softmax probability.
    public struct ClassScore: Sendable, Equatable, Codable {
        /// The class index.
        public let `class`: Int
        /// The raw output (logit) of the class.
        public let score: Float
        /// Its softmax probability over all classes.
        public let probability: Float
    }

    /// The method that produced the explanation.
    public let method: Method
    /// The layer a CAM-family method read (nil for input-gradient and perturbation methods).
    public let layer: String?
    /// The raw, unnormalised map at its native resolution: the layer's (N, T′, H′, W′) /
    /// (N, H′, W′) / (N, T′, V) for CAM methods; the input's map axes — (N, T, H, W), (N, H, W),
    /// (N, T, V) — for the others, reduced over channels (and persons).
    public let map: Tensor
    /// At input resolution: the input's own shape (channels kept) for gradient and perturbation
    /// methods; the map upsampled to (N, T, H, W) / (N, H, W) / (N, T, V) for CAM methods.
    public let attribution: Tensor
    /// The class explained for each sample (nil for regression, attention and custom targets).
    public let targetClasses: [Int]?
    /// What was explained, in words ("class score", "negative loss over outputs [0, 1, 2]", …).
    public let targetDescription: String
    /// The raw model output for the target, per sample (before softmax).
    public let scores: [Float]
    /// How many classes `topK` holds per sample.
    public static let topKCount = 5
    /// The `topKCount` highest-scoring classes per sample (classifiers only).
    public let topK: [[ClassScore]]
    /// Per-frame softmax attention weights (N × T), for models with temporal attention.
    public let attentionWeights: Tensor?
    /// `lrp-st` only: the spatial relevance S (each frame's freeze clip), the temporal relevance
    /// R − S (both with the input's shape) and the freeze clips' predictions (seed 002).
    public let freezeFrames: FreezeFrameDecomposition?
    /// Integrated gradients only: the completeness error per sample, Σ attribution − (f(x) − f(x′))
    /// (Captum's convergence delta); small when the path integral is well resolved.
    public let convergenceDelta: [Float]?
    /// Attention rollout and transformer attribution only: the attention maps (softmax nodes)
    /// rolled out — all of them, or the last stage's for a hierarchical transformer.
    public let attentionMaps: [String]?
    /// Wall-clock time of the method, forward pass included.
    public let seconds: Double
}
