import STCore

/// torchvision's `r3d_18` (Tran et al., "A Closer Look at Spatiotemporal Convolutions", 2018):
/// a stem of one 3×7×7 convolution, four stages of two basic blocks of 3×3×3 convolutions
/// (64, 128, 256, 512 channels; stages 2–4 halve T, H and W), global average pooling and a
/// linear classifier. Input `N × 3 × T × H × W` (16 × 112 × 112 by default).
///
/// Node and parameter names are torchvision's state_dict keys (`stem.0.weight`,
/// `layer4.1.conv2.0.weight`, `fc.bias`, …); `layer1`…`layer4` and each block (`layer4.1`) are
/// aliases of the node that computes the module's output. Default explanation layer: `layer4`.
public struct R3D18: Architecture {
    public var classes: Int
    /// Scales every stage's channel count (1 = torchvision's widths).
    public var widthMultiplier: Double
    public var inputShape: [Int]

    public init(classes: Int = 400, widthMultiplier: Double = 1, inputShape: [Int] = [1, 3, 16, 112, 112]) {
        self.classes = classes
        self.widthMultiplier = widthMultiplier
        self.inputShape = inputShape
    }

    public static let defaultLayer = "layer4"
    public var name: String { "r3d_18" }
    public var defaultLayer: String { Self.defaultLayer }

    /// The graph with weights initialised as torchvision does (Kaiming-normal fan-out convolutions,
    /// unit batch norms, N(0, 0.01) classifier), reproducible from `seed`.
    public func graph(seed: UInt64 = 0) throws -> Graph {
        var network = NetworkBuilder(input: "input", shape: inputShape, seed: seed)
        let width = { (channels: Int) in max(1, Int((Double(channels) * widthMultiplier).rounded())) }
        var current = try network.convolutionBlock("stem", input: "input", inChannels: inputShape[1],
                                                   outChannels: width(64), kernel: [3, 7, 7], stride: [1, 2, 2],
                                                   padding: [1, 3, 3], relu: true)
        var channels = width(64)
        for (stage, baseChannels) in [64, 128, 256, 512].enumerated() {
            let outChannels = width(baseChannels)
            for block in 0..<2 {
                let stride = stage > 0 && block == 0 ? 2 : 1
                current = try network.basicBlock("layer\(stage + 1).\(block)", input: current, inChannels: channels,
                                                 outChannels: outChannels, stride: stride)
                channels = outChannels
            }
            network.builder.alias("layer\(stage + 1)", to: current)
        }
        try network.builder.add("avgpool", AdaptiveAveragePool.global(spatialRank: 3), inputs: [current])
        try network.builder.add("flatten", Flatten(startDim: 1), inputs: ["avgpool"])
        var generator = SeededGenerator(seed: seed &+ 0xFC)
        let fcWeight = Tensor(shape: [classes, channels], scalars: (0..<classes * channels).map { _ in
            0.01 * generator.nextNormal()
        })
        try network.builder.add("fc", Linear(bias: true), inputs: ["flatten"],
                                parameters: ["weight": fcWeight, "bias": Tensor(zeros: [classes])])
        return try network.builder.build(output: "fc")
    }
}
