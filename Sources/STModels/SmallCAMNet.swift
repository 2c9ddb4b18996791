import STCore

/// A small network of the shape Class Activation Mapping needs (Zhou et al., "Learning Deep
/// Features for Discriminative Localization", CVPR 2016): convolutions, then global average
/// pooling straight into one linear layer, so that a class's map is Σ_k w_k^c · A_k with A the
/// last convolutional features and w^c the classifier's row for class c.
///
/// In 2D (images, `N × C × H × W`) or 3D (clips, `N × C × T × H × W`), as the PyTorch module
///
///     features = Sequential(per stage: Conv(k=3, padding 1, no bias), BatchNorm, ReLU,
///                           and MaxPool(2) before every stage but the first —
///                           MaxPool3d((1, 2, 2)) when time is not pooled)
///     avgpool = AdaptiveAvgPool((1, …)),  classifier = Linear(channels of the last stage, classes)
///     forward: classifier(flatten(avgpool(features(x)), 1))
///
/// so the state_dict keys are `features.0.weight`, `features.1.running_mean`, …,
/// `classifier.weight`, `classifier.bias`. With the default three stages (32, 64, 128 channels)
/// the nodes are `features.0` conv, `.1` BN, `.2` ReLU, `.3` pool, `.4` conv, `.5` BN, `.6` ReLU,
/// `.7` pool, `.8` conv, `.9` BN, `.10` ReLU; `features` is an alias of the last one.
///
/// Default explanation layer: the last stage's ReLU (`features.10` by default, in general
/// `features.{4·stages − 2}`), the A of the CAM formula. In 3D, `poolsTime: false` keeps every
/// frame in that map (16 × 8 × 8 for a 16 × 32 × 32 clip instead of 4 × 8 × 8), so a map can tell
/// *when* as finely as the clip does and follow a moving object frame by frame.
public struct SmallCAMNet: Architecture {
    public var classes: Int
    /// 2 for images, 3 for clips.
    public var spatialRank: Int
    /// Output channels of each stage before the width multiplier.
    public var stageChannels: [Int]
    public var widthMultiplier: Double
    public var inputShape: [Int]
    /// 3D only: whether the max pools between stages halve time as well as space.
    public var poolsTime: Bool

    /// `inputShape` defaults to `[1, 3, 112, 112]` in 2D and `[1, 3, 16, 112, 112]` in 3D.
    public init(classes: Int, spatialRank: Int = 3, stageChannels: [Int] = [32, 64, 128],
                widthMultiplier: Double = 1, inputShape: [Int]? = nil, poolsTime: Bool = true) {
        self.classes = classes
        self.spatialRank = spatialRank
        self.stageChannels = stageChannels
        self.widthMultiplier = widthMultiplier
        self.inputShape = inputShape ?? [1, 3] + (spatialRank == 2 ? [] : [16]) + [112, 112]
        self.poolsTime = poolsTime
    }

    public var name: String { "small_cam_net_\(spatialRank)d" }
    public var defaultLayer: String { "features.\(4 * stageChannels.count - 2)" }
    /// Images (2D) or clips (3D), classified.
    public var modelDescription: ModelDescription {
        ModelDescription(inputKind: spatialRank == 2 ? .image : .video, defaultLayer: defaultLayer,
                         task: .classification(classes: classes))
    }

    /// The graph with torchvision-style initialisation (Kaiming-normal fan-out convolutions, unit
    /// batch norms, PyTorch's default U(±1/√fan-in) classifier), reproducible from `seed`. Throws
    /// `STError.invalidRequest` for a spatial rank other than 2 or 3, an input of another rank,
    /// no stages, a non-positive width or fewer than one class.
    public func graph(seed: UInt64 = 0) throws -> Graph {
        try graph(initialization: .seeded(seed))
    }

    /// The graph with zero weights for a checkpoint to fill.
    public func unfilledGraph() throws -> Graph {
        try graph(initialization: .zeros)
    }

    func graph(initialization: NetworkBuilder.Initialization) throws -> Graph {
        guard (2...3).contains(spatialRank), inputShape.count == spatialRank + 2, !stageChannels.isEmpty,
              stageChannels.allSatisfy({ $0 >= 1 }), widthMultiplier > 0, classes >= 1 else {
            throw STError.invalidRequest("\(name) needs spatial rank 2 or 3 with a matching input, at least one stage, "
                                         + "positive widths and classes ≥ 1; got rank \(spatialRank), input "
                                         + "\(inputShape), stages \(stageChannels), width \(widthMultiplier), "
                                         + "classes \(classes)")
        }
        var network = NetworkBuilder(input: "input", shape: inputShape, initialization: initialization)
        let channels = stageChannels.map { NetworkBuilder.scaled($0, by: widthMultiplier) }
        let features = try network.convolutionStages("features", input: "input", inChannels: inputShape[1],
                                                     stageChannels: channels, spatialRank: spatialRank,
                                                     poolsTime: poolsTime)
        try network.builder.add("avgpool", AdaptiveAveragePool.global(spatialRank: spatialRank), inputs: [features])
        try network.builder.add("flatten", Flatten(startDim: 1), inputs: ["avgpool"])
        let weightShape = [classes, channels[channels.count - 1]]
        try network.linear("classifier", input: "flatten", inFeatures: weightShape[1], outFeatures: classes,
                           weight: .pytorchDefault(weightShape: weightShape),
                           bias: .pytorchDefault(weightShape: weightShape))
        return try network.builder.build(output: "classifier")
    }
}
