import STCore

/// The pose network of SfMLearner (Zhou et al., "Unsupervised Learning of Depth and Ego-Motion
/// from Video", CVPR 2017; `PoseExpNet` of ClementPinard/SfmLearner-Pytorch without the
/// explainability-mask decoder), the visual-odometry regressor of seed 001.
///
/// Input: the target frame and R reference frames stacked on the channel axis,
/// `N × 3(1 + R) × H × W` (R = 2, 128 × 416 by default). Seven stride-2 convolutions with bias,
/// kernel k and padding (k − 1)/2, each followed by ReLU:
///
///     conv1 9→16 k7 | conv2 →32 k5 | conv3 →64 k3 | conv4 →128 | conv5 →256 | conv6 →256 | conv7 →256
///     pose_pred: 1×1 convolution 256 → 6R
///     pose = 0.01 · mean over H′, W′ of pose_pred, viewed as N × R × 6
///
/// Each row of the output holds the 6-DoF motion (translation and rotation) from the target to
/// one reference frame; the factor 0.01 keeps the initial predictions small.
///
/// Names follow SfMLearner's `conv` helper, `Sequential(Conv2d, ReLU)`: `conv1.0` is the
/// convolution (`conv1.0.weight`, `conv1.0.bias`), `conv1.1` its ReLU, and `conv1` an alias of
/// the ReLU (the module's output); then `pose_pred` (`pose_pred.weight`, `pose_pred.bias`). The
/// functional tail is `pose_pred.mean` (N × 6R), `pose_pred.view` (N × R × 6), the constant
/// `pose.scale` (0.01) and the output `pose`.
///
/// Default explanation layer: `conv5`. Seed 001 explains PoseNet with Grad-CAM, taking the
/// gradient of the negative view-synthesis loss at the activation maps of a late layer. conv6
/// and conv7 are the last ones, but at the default input they are only 2 × 7 and 1 × 4 cells,
/// too coarse to point at image regions; conv5 (4 × 13, 256 channels) is the deepest layer that
/// still resolves the scene, and the last one the original network shares with its
/// explainability-mask decoder, i.e. the deepest features known to carry spatial structure.
public struct PoseNet: Architecture {
    /// Reference frames R (SfMLearner's `nb_ref_imgs`).
    public var referenceFrames: Int
    /// Scales the seven convolutions' channels; the 6R pose outputs stay.
    public var widthMultiplier: Double
    public var inputShape: [Int]

    /// `inputShape` defaults to `[1, 3(1 + R), 128, 416]`.
    public init(referenceFrames: Int = 2, widthMultiplier: Double = 1, inputShape: [Int]? = nil) {
        self.referenceFrames = referenceFrames
        self.widthMultiplier = widthMultiplier
        self.inputShape = inputShape ?? [1, 3 * (1 + referenceFrames), 128, 416]
    }

    public static let defaultLayer = "conv5"
    public var name: String { "posenet" }
    public var defaultLayer: String { Self.defaultLayer }
    /// Stacked frames read as one image, regressing the relative camera poses.
    public var modelDescription: ModelDescription {
        ModelDescription(inputKind: .image, defaultLayer: defaultLayer, task: .regression)
    }

    /// The seven encoder convolutions: output width and kernel size.
    static let convolutions: [(channels: Int, kernel: Int)] = [
        (16, 7), (32, 5), (64, 3), (128, 3), (256, 3), (256, 3), (256, 3),
    ]

    /// The graph with SfMLearner's `init_weights` (Xavier-uniform convolution weights, zero
    /// biases), reproducible from `seed`. Throws `STError.invalidRequest` for fewer than one
    /// reference frame, a non-positive width or an input that is not `N × 3(1 + R) × H × W`.
    public func graph(seed: UInt64 = 0) throws -> Graph {
        try graph(initialization: .seeded(seed))
    }

    /// The graph with zero weights for a checkpoint to fill.
    public func unfilledGraph() throws -> Graph {
        try graph(initialization: .zeros)
    }

    func graph(initialization: NetworkBuilder.Initialization) throws -> Graph {
        guard referenceFrames >= 1, widthMultiplier > 0, inputShape.count == 4,
              inputShape[1] == 3 * (1 + referenceFrames) else {
            throw STError.invalidRequest("posenet needs R ≥ 1 reference frames, a positive width multiplier and an "
                                         + "N×3(1+R)×H×W input; got R = \(referenceFrames), width \(widthMultiplier), "
                                         + "input \(inputShape)")
        }
        var network = NetworkBuilder(input: "input", shape: inputShape, initialization: initialization)
        var current = "input"
        var channels = inputShape[1]
        for (index, layer) in Self.convolutions.enumerated() {
            let name = "conv\(index + 1)"
            let outChannels = NetworkBuilder.scaled(layer.channels, by: widthMultiplier)
            let padding = (layer.kernel - 1) / 2
            try network.convolution("\(name).0", input: current, inChannels: channels, outChannels: outChannels,
                                    kernel: [layer.kernel, layer.kernel], stride: [2, 2], padding: [padding, padding],
                                    weight: .xavierUniform, bias: .constant(0))
            current = try network.relu("\(name).1", input: "\(name).0")
            network.builder.alias(name, to: current)
            channels = outChannels
        }
        let poseOutputs = 6 * referenceFrames
        try network.convolution("pose_pred", input: current, inChannels: channels, outChannels: poseOutputs,
                                kernel: [1, 1], stride: [1, 1], padding: [0, 0], weight: .xavierUniform,
                                bias: .constant(0))
        try network.builder.add("pose_pred.mean", Mean(axes: [2, 3]), inputs: ["pose_pred"])
        try network.builder.add("pose_pred.view", Reshape([0, referenceFrames, 6]), inputs: ["pose_pred.mean"])
        try network.builder.add("pose.scale", Constant(Tensor(0.01)), inputs: [])
        try network.builder.add("pose", Multiply(), inputs: ["pose.scale", "pose_pred.view"])
        return try network.builder.build(output: "pose")
    }
}
