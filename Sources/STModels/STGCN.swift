import STCore

/// yysijie/st-gcn's `net.st_gcn.Model` (Yan et al., "Spatial Temporal Graph Convolutional
/// Networks for Skeleton-Based Action Recognition", AAAI 2018) for skeleton action recognition.
///
/// Input `N × C × T × V × M` (NTU RGB+D: 3 coordinates, 300 frames, 25 joints, 2 persons).
/// 1. `data_bn`: the input viewed as (N·M, V·C, T), batch-normalised over its V·C channels
///    (channel v·C + c is coordinate c of joint v), then viewed as (N·M, C, T, V).
/// 2. Ten blocks `st_gcn_networks.0`…`9` of widths 64, 64, 64, 64, 128, 128, 128, 256, 256, 256
///    (blocks 4 and 7 halve T). Block b with adjacency A (K × V × V, `SpatialPartition`) and edge
///    importance M_b (K × V × V, trained, initialised to ones) computes
///       g = Σ_k (W_k x) · (A_k ⊙ M_b,k)          (`gcn`: 1×1 conv to K·C_out channels, then the
///                                                  einsum nkctv,kvw→nctw)
///       y = ReLU(tcn(g) + r(x)),  tcn = BN → ReLU → Conv (9, 1) stride (s, 1) pad (4, 0) → BN → Dropout
///    where r is 0 in block 0, x when width and stride are unchanged, else a strided 1×1 conv + BN.
/// 3. Global average pooling over (T, V), mean over the M persons, `fcn` (1×1 conv) → (N, classes).
///
/// Node and parameter names are st-gcn's state_dict keys (`data_bn.running_mean`,
/// `st_gcn_networks.4.gcn.conv.weight`, `st_gcn_networks.1.tcn.2.weight`,
/// `st_gcn_networks.4.residual.0.weight`, `edge_importance.9`, `fcn.bias`); `st_gcn_networks.b`
/// and its `.gcn` and `.tcn` are aliases of the nodes computing those modules' outputs. The
/// blocks read the adjacency from the buffer `A` (a `BufferValue` node), as st-gcn registers it,
/// so checkpoints carrying it can be checked against it.
/// Default explanation layer: `st_gcn_networks.9`, shape (N·M, 256, T′, V) with
/// T′ = ⌈⌈T/2⌉/2⌉ — the feature map of seed 000's ST-GCN Grad-CAM.
public struct STGCN: Architecture {
    public var classes: Int
    public var layout: SkeletonLayout
    public var strategy: SpatialPartition.Strategy
    /// Coordinates per joint C (3 for NTU's x, y, z; 3 for OpenPose's x, y, confidence).
    public var channels: Int
    /// Frames T of the input.
    public var frames: Int
    /// Persons M per sample.
    public var persons: Int
    /// Scales every block's channel count (1 = st-gcn's widths).
    public var widthMultiplier: Double
    /// Whether each block multiplies A by a trained `edge_importance.b` (st-gcn's
    /// `edge_importance_weighting`).
    public var edgeImportanceWeighting: Bool
    /// Dropout probability at the end of every block's `tcn` but the first (0.5 in st-gcn's NTU
    /// configurations; only active in training).
    public var dropout: Float

    /// Defaults are st-gcn's NTU RGB+D model: 60 classes, spatial partition, 3 × 300 × 25 × 2 input,
    /// edge importance weighting, dropout 0.5.
    public init(classes: Int = 60, layout: SkeletonLayout = .ntuRGBD, strategy: SpatialPartition.Strategy = .spatial,
                channels: Int = 3, frames: Int = 300, persons: Int = 2, widthMultiplier: Double = 1,
                edgeImportanceWeighting: Bool = true, dropout: Float = 0.5) {
        self.classes = classes
        self.layout = layout
        self.strategy = strategy
        self.channels = channels
        self.frames = frames
        self.persons = persons
        self.widthMultiplier = widthMultiplier
        self.edgeImportanceWeighting = edgeImportanceWeighting
        self.dropout = dropout
    }

    public static let defaultLayer = "st_gcn_networks.9"
    /// Name of the node holding the adjacency tensor A, and its state_dict key.
    public static let adjacencyNode = "A"
    public var name: String { "st_gcn" }
    public var defaultLayer: String { Self.defaultLayer }
    /// Skeleton sequences, classified.
    public var modelDescription: ModelDescription {
        ModelDescription(inputKind: .skeleton, defaultLayer: defaultLayer, task: .classification(classes: classes))
    }
    /// `[1, channels, frames, joints, persons]`.
    public var inputShape: [Int] { [1, channels, frames, layout.jointCount, persons] }

    /// Output widths and temporal strides of st-gcn's ten blocks, before the width multiplier.
    static let blocks: [(channels: Int, stride: Int)] = [
        (64, 1), (64, 1), (64, 1), (64, 1), (128, 2), (128, 1), (128, 1), (256, 2), (256, 1), (256, 1),
    ]

    /// The K × V × V adjacency the graph's `A` node holds (st-gcn's buffer `A`), from `layout` and
    /// `strategy` with st-gcn's `max_hop = 1`, `dilation = 1`.
    public var adjacency: Tensor {
        get throws { try SpatialPartition(layout: layout, strategy: strategy).adjacency }
    }

    /// The graph with weights initialised as st-gcn's `weights_init` does (convolution weights
    /// N(0, 0.02²) and zero biases, batch-norm scales N(1, 0.02²) and zero shifts, edge importances
    /// one), reproducible from `seed`. Throws `STError.invalidRequest` for a size below 1.
    public func graph(seed: UInt64 = 0) throws -> Graph {
        guard classes >= 1, channels >= 1, frames >= 1, persons >= 1, widthMultiplier > 0,
              (0...1).contains(dropout) else {
            throw STError.invalidRequest("st_gcn needs classes, channels, frames, persons ≥ 1, a positive width "
                                         + "multiplier and dropout in [0, 1]; got \(classes), \(channels), \(frames), "
                                         + "\(persons), \(widthMultiplier), \(dropout)")
        }
        let adjacency = try adjacency
        let joints = layout.jointCount
        var network = STGCNBuilder(input: "input", shape: inputShape, seed: seed)
        try network.builder.add(Self.adjacencyNode, BufferValue(), inputs: [], buffers: ["value": adjacency],
                                bufferKeys: [Self.adjacencyNode])
        var current = try network.normalizeInput(channels: channels, frames: frames, joints: joints, persons: persons)

        var inChannels = channels
        for (index, block) in Self.blocks.enumerated() {
            let outChannels = max(1, Int((Double(block.channels) * widthMultiplier).rounded()))
            var blockAdjacency = Self.adjacencyNode
            if edgeImportanceWeighting {
                let importance = "edge_importance.\(index)"
                try network.builder.add(importance, ParameterValue(), inputs: [],
                                        parameters: ["value": Tensor(repeating: 1, shape: adjacency.shape)],
                                        parameterKeys: [importance])
                blockAdjacency = try network.builder.add("st_gcn_networks.\(index).gcn.adjacency", Multiply(),
                                                         inputs: [Self.adjacencyNode, importance])
            }
            current = try network.block("st_gcn_networks.\(index)", input: current, adjacency: blockAdjacency,
                                        subsets: adjacency.shape[0], joints: joints, inChannels: inChannels,
                                        outChannels: outChannels, stride: block.stride, residual: index > 0,
                                        dropout: index > 0 ? dropout : 0)
            inChannels = outChannels
        }

        try network.builder.add("avg_pool", AdaptiveAveragePool.global(spatialRank: 2), inputs: [current])
        try network.builder.add("view_persons", Reshape([-1, persons, inChannels, 1, 1]), inputs: ["avg_pool"])
        try network.builder.add("mean_persons", Mean(axes: [1]), inputs: ["view_persons"])
        try network.convolution("fcn", input: "mean_persons", inChannels: inChannels, outChannels: classes,
                                kernel: [1, 1], stride: [1, 1], padding: [0, 0])
        try network.builder.add("logits", Reshape([0, classes]), inputs: ["fcn"])
        return try network.builder.build(output: "logits")
    }
}

/// Builds st-gcn's modules node by node, drawing weights from st-gcn's initialisation.
private struct STGCNBuilder {
    var builder: GraphBuilder
    private var seed: UInt64

    init(input: String, shape: [Int], seed: UInt64) {
        builder = GraphBuilder(input: input, shape: shape)
        self.seed = seed
    }

    /// N(mean, 0.02²) samples, a fresh stream per tensor.
    private mutating func normal(_ shape: [Int], mean: Float) -> Tensor {
        seed = seed &+ 0x9E37_79B9_7F4A_7C15
        return Tensor.randomNormal(shape: shape, mean: mean, std: 0.02, seed: seed)
    }

    /// A convolution with bias named `name` (weights `name.weight`, `name.bias`).
    @discardableResult
    mutating func convolution(_ name: String, input: String, inChannels: Int, outChannels: Int,
                              kernel: [Int], stride: [Int], padding: [Int]) throws -> String {
        try builder.add(name, Convolution(geometry: ConvolutionGeometry(stride: stride, padding: padding), bias: true),
                        inputs: [input],
                        parameters: ["weight": normal([outChannels, inChannels] + kernel, mean: 0),
                                     "bias": Tensor(zeros: [outChannels])])
    }

    /// A batch norm named `name` with unit running variance and zero running mean.
    @discardableResult
    mutating func batchNorm(_ name: String, input: String, channels: Int) throws -> String {
        try builder.add(name, BatchNorm(), inputs: [input],
                        parameters: ["weight": normal([channels], mean: 1), "bias": Tensor(zeros: [channels])],
                        buffers: ["running_mean": Tensor(zeros: [channels]),
                                  "running_var": Tensor(repeating: 1, shape: [channels])])
    }

    /// st-gcn's input normalisation: (N, C, T, V, M) → (N, M, V, C, T) → (N·M, V·C, T) → `data_bn`
    /// → (N, M, V, C, T) → (N, M, C, T, V) → (N·M, C, T, V). Returns the last node.
    mutating func normalizeInput(channels: Int, frames: Int, joints: Int, persons: Int) throws -> String {
        try builder.add("permute_input", Permute([0, 4, 3, 1, 2]), inputs: ["input"])
        try builder.add("view_input", Reshape([-1, joints * channels, frames]), inputs: ["permute_input"])
        let normalized = try batchNorm("data_bn", input: "view_input", channels: joints * channels)
        try builder.add("view_normalized", Reshape([-1, persons, joints, channels, frames]), inputs: [normalized])
        try builder.add("permute_normalized", Permute([0, 1, 3, 4, 2]), inputs: ["view_normalized"])
        return try builder.add("view_skeletons", Reshape([-1, channels, frames, joints]), inputs: ["permute_normalized"])
    }

    /// One `st_gcn` block: relu(tcn(gcn(x, adjacency)) + residual(x)). The residual branch is
    /// built first, as st-gcn's `forward` computes it first. Returns the block's output node,
    /// also aliased as `name`.
    mutating func block(_ name: String, input: String, adjacency: String, subsets: Int, joints: Int,
                        inChannels: Int, outChannels: Int, stride: Int, residual: Bool, dropout: Float) throws -> String {
        var shortcut: String?
        if residual {
            shortcut = input
            if inChannels != outChannels || stride != 1 {
                let conv = try convolution("\(name).residual.0", input: input, inChannels: inChannels,
                                           outChannels: outChannels, kernel: [1, 1], stride: [stride, 1], padding: [0, 0])
                shortcut = try batchNorm("\(name).residual.1", input: conv, channels: outChannels)
            }
        }

        let gcn = "\(name).gcn"
        try convolution("\(gcn).conv", input: input, inChannels: inChannels, outChannels: subsets * outChannels,
                        kernel: [1, 1], stride: [1, 1], padding: [0, 0])
        try builder.add("\(gcn).view", Reshape([0, subsets, outChannels, -1, joints]), inputs: ["\(gcn).conv"])
        try builder.add("\(gcn).einsum", GraphAggregation(), inputs: ["\(gcn).view", adjacency])
        builder.alias(gcn, to: "\(gcn).einsum")

        let tcn = "\(name).tcn"
        try batchNorm("\(tcn).0", input: "\(gcn).einsum", channels: outChannels)
        try builder.add("\(tcn).1", ReLU(), inputs: ["\(tcn).0"])
        try convolution("\(tcn).2", input: "\(tcn).1", inChannels: outChannels, outChannels: outChannels,
                        kernel: [9, 1], stride: [stride, 1], padding: [4, 0])
        try batchNorm("\(tcn).3", input: "\(tcn).2", channels: outChannels)
        try builder.add("\(tcn).4", Dropout(probability: dropout), inputs: ["\(tcn).3"])
        builder.alias(tcn, to: "\(tcn).4")

        var sum = "\(tcn).4"
        if let shortcut {
            sum = try builder.add("\(name).add", Add(), inputs: [sum, shortcut])
        }
        try builder.add("\(name).relu", ReLU(), inputs: [sum])
        builder.alias(name, to: "\(name).relu")
        return "\(name).relu"
    }
}
