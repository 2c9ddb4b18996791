import STCore

/// torchvision's 18-layer video ResNets (`torchvision.models.video`; Tran et al., "A Closer Look
/// at Spatiotemporal Convolutions for Action Recognition", CVPR 2018): a stem, four stages of two
/// basic blocks (64, 128, 256, 512 channels; stages 2–4 start with stride 2), global average
/// pooling and a linear classifier. Input `N × 3 × T × H × W` (16 × 112 × 112 by default).
///
/// The variants differ in their convolutions (k = kernel, s = a block's stride):
/// - `r3d_18`: stem 3×7×7 (stride 1,2,2); every block convolution 3×3×3, stride (s,s,s).
/// - `mc3_18`: the r3d stem; stage 1 as r3d, stages 2–4 purely spatial 1×3×3 convolutions with
///   stride (1,s,s) and padding (0,1,1), shortcuts with stride (1,s,s): time is never subsampled.
/// - `r2plus1d_18`: stem 1×7×7 (3 → 45, stride 1,2,2) → BN → ReLU → 3×1×1 (45 → 64) → BN → ReLU;
///   every block convolution is a (2+1)D pair 1×3×3 (stride 1,s,s) → BN → ReLU → 3×1×1
///   (stride s,1,1) through M = ⌊C_in·C_out·27 / (9·C_in + 3·C_out)⌋ middle channels (C_in, C_out:
///   the block's input and output widths, shared by both of its convolutions), which matches the
///   parameter count of a 3×3×3 convolution.
///
/// Every block computes relu(conv2(conv1(x)) + shortcut(x)), the shortcut being `downsample`
/// (1×1×1 convolution + batch norm) when the stride or the width changes.
///
/// Node and parameter names are torchvision's state_dict keys: `stem.0.weight`,
/// `layer4.1.conv2.0.weight`, `layer2.0.downsample.1.running_var`, `fc.bias`; for r2plus1d_18 the
/// (2+1)D pair is a Sequential inside the block's Sequential, so `layer1.0.conv1.0.0.weight`
/// (spatial), `layer1.0.conv1.0.1` (its batch norm), `layer1.0.conv1.0.3.weight` (temporal),
/// `layer1.0.conv1.1` (the block's batch norm). `stem`, `layer1`…`layer4`, each block
/// (`layer4.1`) and each Sequential (`layer4.1.conv1`, `layer4.1.downsample`) are aliases of the
/// node computing the module's output. Default explanation layer: `layer4` for all three.
public struct VideoResNet: Architecture {
    /// The three torchvision constructors; the raw value is the constructor's (and the CLI's) name.
    public enum Variant: String, Sendable, CaseIterable {
        case r3d_18
        case mc3_18
        case r2plus1d_18
    }

    public var variant: Variant
    public var classes: Int
    /// Scales every channel count (1 = torchvision's widths; r2plus1d's 45-channel stem too).
    public var widthMultiplier: Double
    public var inputShape: [Int]

    public init(_ variant: Variant = .r3d_18, classes: Int = 400, widthMultiplier: Double = 1,
                inputShape: [Int] = [1, 3, 16, 112, 112]) {
        self.variant = variant
        self.classes = classes
        self.widthMultiplier = widthMultiplier
        self.inputShape = inputShape
    }

    public static let defaultLayer = "layer4"
    public var name: String { variant.rawValue }
    public var defaultLayer: String { Self.defaultLayer }
    /// Clips, classified.
    public var modelDescription: ModelDescription {
        ModelDescription(inputKind: .video, defaultLayer: defaultLayer, task: .classification(classes: classes))
    }

    /// The graph with weights initialised as torchvision does (Kaiming-normal fan-out convolutions,
    /// unit batch norms, N(0, 0.01²) classifier weights, zero classifier bias), reproducible from
    /// `seed`. Throws `STError.invalidRequest` for fewer than one class, a non-positive width
    /// multiplier or an input that is not `N × C × T × H × W`.
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
        var current = try network.videoStem(variant, inChannels: inputShape[1], width: width)
        var channels = width(64)
        for (stage, baseChannels) in [64, 128, 256, 512].enumerated() {
            let kind = BlockConvolution(variant, stage: stage)
            let outChannels = width(baseChannels)
            for block in 0..<2 {
                current = try network.videoBasicBlock("layer\(stage + 1).\(block)", input: current, kind: kind,
                                                      inChannels: channels, outChannels: outChannels,
                                                      stride: stage > 0 && block == 0 ? 2 : 1)
                channels = outChannels
            }
            network.builder.alias("layer\(stage + 1)", to: current)
        }
        try network.builder.add("avgpool", AdaptiveAveragePool.global(spatialRank: 3), inputs: [current])
        try network.builder.add("flatten", Flatten(startDim: 1), inputs: ["avgpool"])
        try network.linear("fc", input: "flatten", inFeatures: channels, outFeatures: classes,
                           weight: .normal(std: 0.01), bias: .constant(0))
        return try network.builder.build(output: "fc")
    }
}

/// The name existing call sites use for torchvision's `r3d_18`: `R3D18(classes: 400)` is
/// `VideoResNet(.r3d_18, classes: 400)`, the default variant.
public typealias R3D18 = VideoResNet

extension VideoResNet {
    /// torchvision's `conv_builder` of a stage: which convolution a basic block uses.
    enum BlockConvolution {
        /// `Conv3DSimple`: 3×3×3, stride (s,s,s), padding 1; shortcut stride (s,s,s).
        case full
        /// `Conv3DNoTemporal`: 1×3×3, stride (1,s,s), padding (0,1,1); shortcut stride (1,s,s).
        case spatial
        /// `Conv2Plus1D`: 1×3×3 (stride 1,s,s) → BN → ReLU → 3×1×1 (stride s,1,1); shortcut (s,s,s).
        case factorized

        init(_ variant: Variant, stage: Int) {
            switch variant {
            case .r3d_18: self = .full
            case .mc3_18: self = stage == 0 ? .full : .spatial
            case .r2plus1d_18: self = .factorized
            }
        }

        /// The stride of the 1×1×1 shortcut convolution for a block stride `s`.
        func shortcutStride(_ stride: Int) -> [Int] {
            self == .spatial ? [1, stride, stride] : [stride, stride, stride]
        }
    }
}

extension NetworkBuilder {
    /// torchvision's `BasicStem` (r3d, mc3) or `R2Plus1dStem`, named `stem.N`; returns its
    /// last ReLU, also aliased as `stem`.
    fileprivate mutating func videoStem(_ variant: VideoResNet.Variant, inChannels: Int,
                                        width: (Int) -> Int) throws -> String {
        let output: String
        if variant == .r2plus1d_18 {
            try convolution("stem.0", input: "input", inChannels: inChannels, outChannels: width(45), kernel: [1, 7, 7],
                            stride: [1, 2, 2], padding: [0, 3, 3], weight: .kaimingNormal(fanOut: true), bias: nil)
            try batchNorm("stem.1", input: "stem.0", channels: width(45))
            try relu("stem.2", input: "stem.1")
            try convolution("stem.3", input: "stem.2", inChannels: width(45), outChannels: width(64), kernel: [3, 1, 1],
                            stride: [1, 1, 1], padding: [1, 0, 0], weight: .kaimingNormal(fanOut: true), bias: nil)
            try batchNorm("stem.4", input: "stem.3", channels: width(64))
            output = try relu("stem.5", input: "stem.4")
        } else {
            output = try convolutionBlock("stem", input: "input", inChannels: inChannels, outChannels: width(64),
                                          kernel: [3, 7, 7], stride: [1, 2, 2], padding: [1, 3, 3], relu: true)
        }
        builder.alias("stem", to: output)
        return output
    }

    /// One of a block's `Sequential(conv_builder(…), BatchNorm3d(…)[, ReLU])` named `name`:
    /// `name.0` the convolution (for `.factorized` the Sequential `name.0.0` … `name.0.3`),
    /// `name.1` batch norm, `name.2` ReLU when asked. Returns the last node, aliased as `name`.
    fileprivate mutating func videoConvolution(_ name: String, input: String, kind: VideoResNet.BlockConvolution, inChannels: Int,
                                               outChannels: Int, middleChannels: Int, stride: Int,
                                               relu withReLU: Bool) throws -> String {
        let s = stride
        switch kind {
        case .full:
            try convolution("\(name).0", input: input, inChannels: inChannels, outChannels: outChannels,
                            kernel: [3, 3, 3], stride: [s, s, s], padding: [1, 1, 1],
                            weight: .kaimingNormal(fanOut: true), bias: nil)
        case .spatial:
            try convolution("\(name).0", input: input, inChannels: inChannels, outChannels: outChannels,
                            kernel: [1, 3, 3], stride: [1, s, s], padding: [0, 1, 1],
                            weight: .kaimingNormal(fanOut: true), bias: nil)
        case .factorized:
            try convolution("\(name).0.0", input: input, inChannels: inChannels, outChannels: middleChannels,
                            kernel: [1, 3, 3], stride: [1, s, s], padding: [0, 1, 1],
                            weight: .kaimingNormal(fanOut: true), bias: nil)
            try batchNorm("\(name).0.1", input: "\(name).0.0", channels: middleChannels)
            try relu("\(name).0.2", input: "\(name).0.1")
            try convolution("\(name).0.3", input: "\(name).0.2", inChannels: middleChannels, outChannels: outChannels,
                            kernel: [3, 1, 1], stride: [s, 1, 1], padding: [1, 0, 0],
                            weight: .kaimingNormal(fanOut: true), bias: nil)
            builder.alias("\(name).0", to: "\(name).0.3")
        }
        let convolutionOutput = kind == .factorized ? "\(name).0.3" : "\(name).0"
        var output = try batchNorm("\(name).1", input: convolutionOutput, channels: outChannels)
        if withReLU { output = try relu("\(name).2", input: output) }
        builder.alias(name, to: output)
        return output
    }

    /// torchvision's video `BasicBlock`: relu(conv2(conv1(x)) + shortcut(x)). The shortcut is
    /// built first so the planner can fuse the residual add into `conv2`. Returns the block's
    /// output node, also aliased as `name`.
    fileprivate mutating func videoBasicBlock(_ name: String, input: String, kind: VideoResNet.BlockConvolution, inChannels: Int,
                                              outChannels: Int, stride: Int) throws -> String {
        let middleChannels = (inChannels * outChannels * 27) / (inChannels * 9 + 3 * outChannels)
        var shortcut = input
        if stride != 1 || inChannels != outChannels {
            shortcut = try convolutionBlock("\(name).downsample", input: input, inChannels: inChannels,
                                            outChannels: outChannels, kernel: [1, 1, 1],
                                            stride: kind.shortcutStride(stride), padding: [0, 0, 0], relu: false)
            builder.alias("\(name).downsample", to: shortcut)
        }
        let conv1 = try videoConvolution("\(name).conv1", input: input, kind: kind, inChannels: inChannels,
                                         outChannels: outChannels, middleChannels: middleChannels, stride: stride,
                                         relu: true)
        let conv2 = try videoConvolution("\(name).conv2", input: conv1, kind: kind, inChannels: outChannels,
                                         outChannels: outChannels, middleChannels: middleChannels, stride: 1,
                                         relu: false)
        try builder.add("\(name).add", Add(), inputs: [conv2, shortcut])
        try relu("\(name).relu", input: "\(name).add")
        builder.alias(name, to: "\(name).relu")
        return "\(name).relu"
    }
}
