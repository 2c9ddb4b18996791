import STCore

/// A per-frame 2D CNN followed by an LSTM over time (seed 001's "LSTM over 2D CNN"), with an
/// optional temporal attention head (seed 001's "LSTM over 2D CNN with attention").
///
/// Input `N × C × T × H × W` (16 × 112 × 112 by default). As the PyTorch module
///
///     frames  = x.permute(0, 2, 1, 3, 4).reshape(N·T, C, H, W)      every frame on its own
///     f       = flatten(avgpool(backbone(frames)), 1).view(N, T, F)   per-frame features (avgpool to
///                                                                     1 × 1, or 4 × 4 for the plain backbone)
///     h       = lstm(f)                                              N × T × hidden (batch_first)
///     last step:  context = h[:, -1]
///     attention:  s_t = attention.v(tanh(attention.W(h_t))),  a = softmax_t(s),  context = Σ_t a_t·h_t
///     logits  = fc(context)
///
/// Names (state_dict keys follow them): `backbone.…` (below), `lstm.weight_ih_l0`,
/// `lstm.weight_hh_l0`, `lstm.bias_ih_l0`, `lstm.bias_hh_l0`, `attention.W.weight`,
/// `attention.W.bias`, `attention.v.weight` (no bias), `fc.weight`, `fc.bias`. Parameter-free
/// nodes: `frames.permute`, `frames`, `avgpool`, `flatten`, `features` (N × T × F), `lstm.last`,
/// `attention.tanh`, `attention.scores` (N × T), `attention.weights` (N × T, the softmax weights
/// a_t that explainers report per frame; each row sums to 1), `attention.weights.row`,
/// `attention.context`, and `context` (N × hidden).
///
/// Default explanation layer: the backbone's last convolutional ReLU, per frame
/// `(N·T) × C′ × h × w` (DESIGN §4: Grad-CAM on the per-frame CNN's last conv, per frame) —
/// `backbone.layer4` for the ResNet-18 backbone, the last stage's ReLU for the plain one.
///
/// The number of frames T is fixed by `inputShape` (the `features` view names it); the batch N may vary.
public struct CNNLSTM: Architecture {
    /// The per-frame CNN, stored under `backbone.`.
    public enum Backbone: Sendable, Hashable {
        /// torchvision's `resnet18` without its classifier: `conv1` (7×7, stride 2, 64 channels,
        /// no bias), `bn1`, `relu`, `maxpool` (3×3, stride 2, padding 1), `layer1`…`layer4` of two
        /// basic blocks (64, 128, 256, 512 channels; stride 2 in the first block of layers 2–4).
        /// A block is relu(bn2(conv2(relu(bn1(conv1(x))))) + shortcut(x)) with 3×3 convolutions and
        /// the shortcut `downsample.0` (1×1 convolution) + `downsample.1` (batch norm) when the
        /// stride or the width changes; node names `backbone.layer4.1.conv1`, `.bn1`, `.bn1.relu`,
        /// `.conv2`, `.bn2`, `.add`, `.relu`, the block name an alias of `.relu`.
        case resnet18
        /// `SmallCAMNet`'s feature stages in 2D: per stage 3×3 convolution (no bias) → batch norm →
        /// ReLU, a 2×2 max pool between stages; nodes `backbone.0`, `backbone.1`, … as an
        /// `nn.Sequential` numbers them. Its `avgpool` keeps a 4 × 4 grid (`AdaptiveAvgPool2d(4)`),
        /// so each frame's feature says roughly *where* things are and the LSTM can follow motion;
        /// a globally pooled small CNN cannot tell left from right.
        case plain(stageChannels: [Int])

        /// The per-frame pooling's output size: 1 × 1 for ResNet-18 (torchvision's), 4 × 4 for plain.
        public var pooledSize: [Int?] {
            switch self {
            case .resnet18: [1, 1]
            case .plain: [4, 4]
            }
        }
    }

    public var classes: Int
    public var backbone: Backbone
    /// Scales the backbone's channels (not the LSTM or the attention).
    public var widthMultiplier: Double
    /// LSTM hidden size.
    public var hiddenSize: Int
    /// Temporal attention instead of the last time step.
    public var attention: Bool
    /// Width of the attention's hidden layer, `attention.W`: hidden → attentionSize.
    public var attentionSize: Int
    public var inputShape: [Int]

    public init(classes: Int, backbone: Backbone = .resnet18, widthMultiplier: Double = 1, hiddenSize: Int = 256,
                attention: Bool = false, attentionSize: Int = 128, inputShape: [Int] = [1, 3, 16, 112, 112]) {
        self.classes = classes
        self.backbone = backbone
        self.widthMultiplier = widthMultiplier
        self.hiddenSize = hiddenSize
        self.attention = attention
        self.attentionSize = attentionSize
        self.inputShape = inputShape
    }

    /// The node holding the softmax attention weights, `N × T` (attention models only).
    public static let attentionWeights = "attention.weights"
    public var name: String { attention ? "cnn_lstm_attention" : "cnn_lstm" }

    public var defaultLayer: String {
        switch backbone {
        case .resnet18: "backbone.layer4"
        case .plain(let stageChannels): "backbone.\(4 * stageChannels.count - 2)"
        }
    }

    /// Clips, classified; the attention model reports its per-frame weights.
    public var modelDescription: ModelDescription {
        ModelDescription(inputKind: .video, defaultLayer: defaultLayer, task: .classification(classes: classes),
                         attentionNode: attention ? Self.attentionWeights : nil)
    }

    /// The graph with the originals' initialisations (torchvision's Kaiming-normal fan-out
    /// convolutions and unit batch norms in the backbone; PyTorch's defaults elsewhere:
    /// U(±1/√hidden) for the LSTM, U(±1/√fan-in) for the linear layers), reproducible from
    /// `seed`. Throws `STError.invalidRequest` for an input that is not `N × C × T × H × W`, a
    /// plain backbone without stages, or a size or width below 1.
    public func graph(seed: UInt64 = 0) throws -> Graph {
        try graph(initialization: .seeded(seed))
    }

    /// The graph with zero weights for a checkpoint to fill.
    public func unfilledGraph() throws -> Graph {
        try graph(initialization: .zeros)
    }

    func graph(initialization: NetworkBuilder.Initialization) throws -> Graph {
        var stagesValid = true
        if case .plain(let stageChannels) = backbone {
            stagesValid = !stageChannels.isEmpty && stageChannels.allSatisfy { $0 >= 1 }
        }
        guard inputShape.count == 5, classes >= 1, hiddenSize >= 1, attentionSize >= 1, widthMultiplier > 0,
              stagesValid else {
            throw STError.invalidRequest("\(name) needs an N×C×T×H×W input, classes, hidden and attention sizes ≥ 1, "
                                         + "a positive width multiplier and at least one backbone stage; got input "
                                         + "\(inputShape), classes \(classes), hidden \(hiddenSize), attention "
                                         + "\(attentionSize), width \(widthMultiplier), backbone \(backbone)")
        }
        let (channels, frames) = (inputShape[1], inputShape[2])
        var network = NetworkBuilder(input: "input", shape: inputShape, initialization: initialization)
        try network.builder.add("frames.permute", Permute([0, 2, 1, 3, 4]), inputs: ["input"])
        try network.builder.add("frames", Reshape([-1, channels, inputShape[3], inputShape[4]]),
                                inputs: ["frames.permute"])
        let featureMaps: String
        switch backbone {
        case .resnet18:
            featureMaps = try network.resNet18Backbone(input: "frames", inChannels: channels,
                                                       widthMultiplier: widthMultiplier)
        case .plain(let stageChannels):
            featureMaps = try network.convolutionStages(
                "backbone", input: "frames", inChannels: channels,
                stageChannels: stageChannels.map { NetworkBuilder.scaled($0, by: widthMultiplier) }, spatialRank: 2)
        }
        try network.builder.add("avgpool", AdaptiveAveragePool(outputSize: backbone.pooledSize), inputs: [featureMaps])
        try network.builder.add("flatten", Flatten(startDim: 1), inputs: ["avgpool"])
        let features = try network.outputShape(of: "flatten")[1]
        try network.builder.add("features", Reshape([-1, frames, features]), inputs: ["flatten"])

        let lstmBound = 1 / Float(hiddenSize).squareRoot()
        let gates = 4 * hiddenSize
        let lstmParameters = [
            "weight_ih_l0": network.tensor([gates, features], .uniform(bound: lstmBound)),
            "weight_hh_l0": network.tensor([gates, hiddenSize], .uniform(bound: lstmBound)),
            "bias_ih_l0": network.tensor([gates], .uniform(bound: lstmBound)),
            "bias_hh_l0": network.tensor([gates], .uniform(bound: lstmBound)),
        ]
        try network.builder.add("lstm", LSTM(hiddenSize: hiddenSize), inputs: ["features"], parameters: lstmParameters)
        if attention {
            try network.temporalAttention(input: "lstm", hiddenSize: hiddenSize, attentionSize: attentionSize)
        } else {
            try network.builder.add("lstm.last", Slice(axis: 1, start: -1), inputs: ["lstm"])
            try network.builder.add("context", Reshape([0, -1]), inputs: ["lstm.last"])
        }
        let weightShape = [classes, hiddenSize]
        try network.linear("fc", input: "context", inFeatures: hiddenSize, outFeatures: classes,
                           weight: .pytorchDefault(weightShape: weightShape),
                           bias: .pytorchDefault(weightShape: weightShape))
        return try network.builder.build(output: "fc")
    }
}

extension NetworkBuilder {
    /// torchvision's `resnet18` up to `layer4` under the prefix `backbone` (see
    /// `CNNLSTM.Backbone.resnet18`); returns `layer4`'s output node.
    fileprivate mutating func resNet18Backbone(input: String, inChannels: Int, widthMultiplier: Double) throws -> String {
        let width = { (channels: Int) in NetworkBuilder.scaled(channels, by: widthMultiplier) }
        try convolution("backbone.conv1", input: input, inChannels: inChannels, outChannels: width(64), kernel: [7, 7],
                        stride: [2, 2], padding: [3, 3], weight: .kaimingNormal(fanOut: true), bias: nil)
        try batchNorm("backbone.bn1", input: "backbone.conv1", channels: width(64))
        try relu("backbone.relu", input: "backbone.bn1")
        var current = try maxPool("backbone.maxpool", input: "backbone.relu", kernel: [3, 3], stride: [2, 2],
                                  padding: [1, 1])
        var channels = width(64)
        for (stage, baseChannels) in [64, 128, 256, 512].enumerated() {
            let outChannels = width(baseChannels)
            for block in 0..<2 {
                current = try resNetBasicBlock("backbone.layer\(stage + 1).\(block)", input: current,
                                               inChannels: channels, outChannels: outChannels,
                                               stride: stage > 0 && block == 0 ? 2 : 1)
                channels = outChannels
            }
            builder.alias("backbone.layer\(stage + 1)", to: current)
        }
        return current
    }

    /// torchvision's 2D `BasicBlock`: relu(bn2(conv2(relu(bn1(conv1(x))))) + shortcut(x)), 3×3
    /// convolutions without bias (`conv1` carries the stride), the shortcut `downsample.0`
    /// (1×1 strided convolution) + `downsample.1` (batch norm) when the stride or the width
    /// changes. The shortcut is built first so the planner can fuse the add into `conv2`.
    /// Returns the block's output, also aliased as `name`.
    private mutating func resNetBasicBlock(_ name: String, input: String, inChannels: Int, outChannels: Int,
                                           stride: Int) throws -> String {
        var shortcut = input
        if stride != 1 || inChannels != outChannels {
            try convolution("\(name).downsample.0", input: input, inChannels: inChannels, outChannels: outChannels,
                            kernel: [1, 1], stride: [stride, stride], padding: [0, 0],
                            weight: .kaimingNormal(fanOut: true), bias: nil)
            shortcut = try batchNorm("\(name).downsample.1", input: "\(name).downsample.0", channels: outChannels)
        }
        try convolution("\(name).conv1", input: input, inChannels: inChannels, outChannels: outChannels,
                        kernel: [3, 3], stride: [stride, stride], padding: [1, 1],
                        weight: .kaimingNormal(fanOut: true), bias: nil)
        try batchNorm("\(name).bn1", input: "\(name).conv1", channels: outChannels)
        try relu("\(name).bn1.relu", input: "\(name).bn1")
        try convolution("\(name).conv2", input: "\(name).bn1.relu", inChannels: outChannels, outChannels: outChannels,
                        kernel: [3, 3], stride: [1, 1], padding: [1, 1], weight: .kaimingNormal(fanOut: true),
                        bias: nil)
        try batchNorm("\(name).bn2", input: "\(name).conv2", channels: outChannels)
        try builder.add("\(name).add", Add(), inputs: ["\(name).bn2", shortcut])
        try relu("\(name).relu", input: "\(name).add")
        builder.alias(name, to: "\(name).relu")
        return "\(name).relu"
    }

    /// The attention head over LSTM states h (`N × T × hidden`): s_t = v·tanh(W·h_t + b),
    /// a = softmax over t, context = Σ_t a_t·h_t computed as the product (N × 1 × T)·(N × T × hidden).
    /// Ends in the node `context` (N × hidden).
    fileprivate mutating func temporalAttention(input: String, hiddenSize: Int, attentionSize: Int) throws {
        let weightShape = [attentionSize, hiddenSize]
        try linear("attention.W", input: input, inFeatures: hiddenSize, outFeatures: attentionSize,
                   weight: .pytorchDefault(weightShape: weightShape), bias: .pytorchDefault(weightShape: weightShape))
        try builder.add("attention.tanh", Tanh(), inputs: ["attention.W"])
        try linear("attention.v", input: "attention.tanh", inFeatures: attentionSize, outFeatures: 1,
                   weight: .pytorchDefault(weightShape: [1, attentionSize]), bias: nil)
        try builder.add("attention.scores", Reshape([0, -1]), inputs: ["attention.v"])
        try builder.add(CNNLSTM.attentionWeights, Softmax(axis: 1), inputs: ["attention.scores"])
        try builder.add("attention.weights.row", Reshape([0, 1, -1]), inputs: [CNNLSTM.attentionWeights])
        try builder.add("attention.context", MatMul(), inputs: ["attention.weights.row", input])
        try builder.add("context", Reshape([0, -1]), inputs: ["attention.context"])
    }
}
