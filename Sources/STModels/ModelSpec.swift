import STCore

/// Which built-in architecture, at which size: everything besides the weights needed to rebuild a
/// trained model. Saved as JSON in a weights file's metadata (`stexplain.model`).
public struct ModelSpec: Codable, Sendable, Equatable {
    /// Architecture name as in `ModelSpec.architectures`.
    public var architecture: String
    /// Number of classes (ignored by regressors such as PoseNet).
    public var classes: Int
    /// Channel scale; 1 is the published width.
    public var widthMultiplier: Double
    /// Input shape with a batch of one, PyTorch order.
    public var inputShape: [Int]
    /// CNN-LSTM backbone: `resnet18` (default) or `plain` (SmallCAMNet's 32-64-128 stages in 2D).
    public var backbone: String?
    /// `small_cam_net_3d`: `false` when its max pools keep time (`SmallCAMNet.poolsTime`); nil
    /// means the default, pooling time.
    public var poolsTime: Bool?
    /// `video_transformer`: blocks; nil means ViT-Base's 12.
    public var depth: Int?
    /// `video_transformer`: attention heads; nil means 12 scaled by the width (at least 1), so
    /// heads stay 64 wide at ViT-Base (1), ViT-Small (0.5) and ViT-Tiny (0.25) widths.
    public var heads: Int?
    /// `video_transformer`: frames × height × width of a token's tubelet; nil means ViViT's 2 × 16 × 16.
    public var tubelet: [Int]?
    /// `video_transformer`: `joint` or `divided` space–time attention (`VideoTransformer.Attention`);
    /// nil means joint.
    public var attention: String?

    public init(architecture: String, classes: Int, widthMultiplier: Double = 1, inputShape: [Int]? = nil,
                backbone: String? = nil, poolsTime: Bool? = nil, depth: Int? = nil, heads: Int? = nil,
                tubelet: [Int]? = nil, attention: String? = nil) throws {
        guard let defaults = Self.defaultInputShapes[architecture] else {
            throw STError.invalidRequest("unknown model '\(architecture)'; built-in models: "
                                         + Self.architectures.joined(separator: ", "))
        }
        self.architecture = architecture
        self.classes = classes
        self.widthMultiplier = widthMultiplier
        self.inputShape = inputShape ?? defaults
        self.backbone = backbone
        self.poolsTime = poolsTime
        self.depth = depth
        self.heads = heads
        self.tubelet = tubelet
        self.attention = attention
    }

    /// Every built-in architecture's name, in the order `stexplain models` lists them.
    public static let architectures = ["r3d_18", "mc3_18", "r2plus1d_18", "c3d", "st_gcn", "cnn_lstm",
                                       "cnn_lstm_attention", "posenet", "small_cam_net_2d", "small_cam_net_3d",
                                       "video_transformer"]

    /// Published input shapes (batch of one).
    static let defaultInputShapes: [String: [Int]] = [
        "r3d_18": [1, 3, 16, 112, 112], "mc3_18": [1, 3, 16, 112, 112], "r2plus1d_18": [1, 3, 16, 112, 112],
        "c3d": [1, 3, 16, 112, 112], "st_gcn": [1, 3, 300, 25, 2], "cnn_lstm": [1, 3, 16, 112, 112],
        "cnn_lstm_attention": [1, 3, 16, 112, 112], "posenet": [1, 9, 128, 416],
        "small_cam_net_2d": [1, 3, 112, 112], "small_cam_net_3d": [1, 3, 16, 112, 112],
        "video_transformer": [1, 3, 16, 224, 224],
    ]

    /// The published configuration of an architecture (classes as in its original paper's dataset).
    public static func published(_ architecture: String) throws -> ModelSpec {
        let classes = ["r3d_18": 400, "mc3_18": 400, "r2plus1d_18": 400, "c3d": 101, "st_gcn": 60, "posenet": 12,
                       "video_transformer": 400]
        return try ModelSpec(architecture: architecture, classes: classes[architecture] ?? 10)
    }

    /// The architecture this spec describes.
    public func makeArchitecture() throws -> any Architecture {
        switch architecture {
        case "r3d_18", "mc3_18", "r2plus1d_18":
            return VideoResNet(VideoResNet.Variant(rawValue: architecture)!, classes: classes,
                               widthMultiplier: widthMultiplier, inputShape: inputShape)
        case "c3d":
            return C3D(classes: classes, widthMultiplier: widthMultiplier, inputShape: inputShape)
        case "st_gcn":
            guard inputShape.count == 5 else {
                throw STError.invalidRequest("st_gcn takes N × C × T × V × M inputs, got \(inputShape)")
            }
            let layout = try SkeletonLayout.forJointCount(inputShape[3])
            return STGCN(classes: classes, layout: layout, channels: inputShape[1], frames: inputShape[2],
                         persons: inputShape[4], widthMultiplier: widthMultiplier)
        case "cnn_lstm", "cnn_lstm_attention":
            let backbone: CNNLSTM.Backbone = self.backbone == "plain" ? .plain(stageChannels: [32, 64, 128]) : .resnet18
            return CNNLSTM(classes: classes, backbone: backbone, widthMultiplier: widthMultiplier,
                           attention: architecture == "cnn_lstm_attention", inputShape: inputShape)
        case "posenet":
            return PoseNet(referenceFrames: inputShape[1] / 3 - 1, widthMultiplier: widthMultiplier, inputShape: inputShape)
        case "small_cam_net_2d", "small_cam_net_3d":
            return SmallCAMNet(classes: classes, spatialRank: architecture.hasSuffix("2d") ? 2 : 3,
                               widthMultiplier: widthMultiplier, inputShape: inputShape,
                               poolsTime: poolsTime ?? true)
        case "video_transformer":
            guard let attention = VideoTransformer.Attention(rawValue: attention ?? VideoTransformer.Attention.joint.rawValue) else {
                throw STError.invalidRequest("video_transformer attention '\(attention ?? "")' is neither joint nor divided")
            }
            return VideoTransformer(classes: classes,
                                    width: NetworkBuilder.scaled(VideoTransformer.publishedWidth, by: widthMultiplier),
                                    depth: depth ?? VideoTransformer.publishedDepth,
                                    heads: heads ?? NetworkBuilder.scaled(VideoTransformer.publishedHeads, by: widthMultiplier),
                                    tubelet: tubelet ?? VideoTransformer.publishedTubelet, attention: attention,
                                    inputShape: inputShape)
        default:
            throw STError.invalidRequest("unknown model '\(architecture)'")
        }
    }
}
