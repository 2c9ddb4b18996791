import STCore

/// C3D (Tran et al., "Learning Spatiotemporal Features with 3D Convolutional Networks", ICCV
/// 2015) as in jfzhang95/pytorch-video-recognition (`network/C3D_model.py`, seed 002): eight
/// 3×3×3 convolutions (padding 1, with bias) each followed by ReLU, five max pools, and three
/// linear layers. Input `N × 3 × 16 × 112 × 112`:
///
///     conv1 3→64, pool1 (1,2,2) | conv2 64→128, pool2 (2,2,2) | conv3a/b 256, pool3 (2,2,2)
///     conv4a/b 512, pool4 (2,2,2) | conv5a/b 512, pool5 (2,2,2) with padding (0,1,1)
///     → 512 × 1 × 4 × 4 = 8192 → fc6 4096 → ReLU → dropout 0.5 → fc7 4096 → ReLU → dropout 0.5
///     → fc8 (classes, logits; pool strides equal their kernels)
///
/// Names: the modules `conv1`, `conv2`, `conv3a`, …, `conv5b`, `pool1`…`pool5`, `fc6`, `fc7`,
/// `fc8` are nodes of the same name, so the state_dict keys are `conv1.weight`, `conv5b.bias`,
/// `fc6.weight`, …. PyTorch applies one shared `self.relu` and `self.dropout` functionally; here
/// each application is its own node named after the layer it follows: `conv5b.relu`,
/// `fc6.relu`, `fc6.dropout`. The flattening `x.view(-1, 8192)` is `flatten` (per sample, which
/// is the same for the default input and stays per sample for other input sizes).
///
/// Default explanation layer: `conv5b.relu`, the ReLU output of `conv5b` (DESIGN §4 names
/// `conv5b`). Grad-CAM and its relatives weight post-activation feature maps, as Selvaraju et al.
/// do with the rectified last convolutional layer; a PyTorch hook on `model.conv5b` would see the
/// pre-activation output instead, which is the node `conv5b` — pass it to reproduce that.
///
/// `widthMultiplier` scales every convolution's channels and the hidden widths of fc6 and fc7
/// (4096); fc6's input width follows pool5's output (`channels(conv5b) · 1 · 4 · 4` for the
/// default input).
public struct C3D: Architecture {
    public var classes: Int
    public var widthMultiplier: Double
    public var inputShape: [Int]

    public init(classes: Int = 101, widthMultiplier: Double = 1, inputShape: [Int] = [1, 3, 16, 112, 112]) {
        self.classes = classes
        self.widthMultiplier = widthMultiplier
        self.inputShape = inputShape
    }

    public static let defaultLayer = "conv5b.relu"
    public var name: String { "c3d" }
    public var defaultLayer: String { Self.defaultLayer }
    /// Clips, classified.
    public var modelDescription: ModelDescription {
        ModelDescription(inputKind: .video, defaultLayer: defaultLayer, task: .classification(classes: classes))
    }

    /// Convolutions in order with their output widths and the pool that follows (if any):
    /// kernel and stride per pool, and pool5's padding.
    static let layers: [(name: String, channels: Int, pool: (name: String, kernel: [Int], padding: [Int])?)] = [
        ("conv1", 64, ("pool1", [1, 2, 2], [0, 0, 0])),
        ("conv2", 128, ("pool2", [2, 2, 2], [0, 0, 0])),
        ("conv3a", 256, nil), ("conv3b", 256, ("pool3", [2, 2, 2], [0, 0, 0])),
        ("conv4a", 512, nil), ("conv4b", 512, ("pool4", [2, 2, 2], [0, 0, 0])),
        ("conv5a", 512, nil), ("conv5b", 512, ("pool5", [2, 2, 2], [0, 1, 1])),
    ]

    /// The graph with the reference implementation's initialisation (Kaiming-normal fan-in
    /// convolution weights, PyTorch's default U(±1/√fan-in) for convolution biases and linear
    /// layers), reproducible from `seed`. Throws `STError.invalidRequest` for fewer than one class,
    /// a non-positive width multiplier or an input that is not `N × C × T × H × W`, and
    /// `STError.shape` when the input is too small for the five pools.
    public func graph(seed: UInt64 = 0) throws -> Graph {
        try graph(initialization: .seeded(seed))
    }

    /// The graph with zero weights for a checkpoint to fill.
    public func unfilledGraph() throws -> Graph {
        try graph(initialization: .zeros)
    }

    func graph(initialization: NetworkBuilder.Initialization) throws -> Graph {
        try NetworkBuilder.checkClipClassifier(name, classes: classes, widthMultiplier: widthMultiplier,
                                               inputShape: inputShape)
        var network = NetworkBuilder(input: "input", shape: inputShape, initialization: initialization)
        let width = { (channels: Int) in NetworkBuilder.scaled(channels, by: widthMultiplier) }
        var current = "input"
        var channels = inputShape[1]
        for layer in Self.layers {
            let outChannels = width(layer.channels)
            let weightShape = [outChannels, channels, 3, 3, 3]
            try network.convolution(layer.name, input: current, inChannels: channels, outChannels: outChannels,
                                    kernel: [3, 3, 3], stride: [1, 1, 1], padding: [1, 1, 1],
                                    weight: .kaimingNormal(fanOut: false),
                                    bias: .pytorchDefault(weightShape: weightShape))
            current = try network.relu("\(layer.name).relu", input: layer.name)
            if let pool = layer.pool {
                current = try network.maxPool(pool.name, input: current, kernel: pool.kernel, padding: pool.padding)
            }
            channels = outChannels
        }
        current = try network.builder.add("flatten", Flatten(startDim: 1), inputs: [current])
        var features = try network.outputShape(of: current)[1]
        for (name, outFeatures) in [("fc6", width(4096)), ("fc7", width(4096))] {
            let weightShape = [outFeatures, features]
            try network.linear(name, input: current, inFeatures: features, outFeatures: outFeatures,
                               weight: .pytorchDefault(weightShape: weightShape),
                               bias: .pytorchDefault(weightShape: weightShape))
            try network.relu("\(name).relu", input: name)
            current = try network.builder.add("\(name).dropout", Dropout(probability: 0.5), inputs: ["\(name).relu"])
            features = outFeatures
        }
        try network.linear("fc8", input: current, inFeatures: features, outFeatures: classes,
                           weight: .pytorchDefault(weightShape: [classes, features]),
                           bias: .pytorchDefault(weightShape: [classes, features]))
        return try network.builder.build(output: "fc8")
    }
}
