import Testing
import STCore
import STModels

/// What each built-in architecture tells explainers about itself: the input kind, default layer,
/// task and attention node that STExplain once looked up by architecture name.
@Suite struct ModelDescriptionTests {
    /// The published configurations (`ModelSpec.published`: the paper's class counts, 10 for the
    /// demo-sized networks) and what each describes. Skeletons only for ST-GCN; PoseNet's stacked
    /// frames and the 2D SmallCAMNet are images; PoseNet alone regresses; only the attention
    /// CNN-LSTM has per-frame attention weights; only the video transformer has a token grid (ViViT's
    /// 2 × 16 × 16 tubelets over 16 × 224 × 224: 8 × 14 × 14, after one class token) and, as a
    /// class-token transformer, explains its last block's input by default.
    static let published: [String: ModelDescription] = [
        "r3d_18": ModelDescription(inputKind: .video, defaultLayer: "layer4", task: .classification(classes: 400)),
        "mc3_18": ModelDescription(inputKind: .video, defaultLayer: "layer4", task: .classification(classes: 400)),
        "r2plus1d_18": ModelDescription(inputKind: .video, defaultLayer: "layer4", task: .classification(classes: 400)),
        "c3d": ModelDescription(inputKind: .video, defaultLayer: "conv5b.relu", task: .classification(classes: 101)),
        "st_gcn": ModelDescription(inputKind: .skeleton, defaultLayer: "st_gcn_networks.9",
                                   task: .classification(classes: 60)),
        "cnn_lstm": ModelDescription(inputKind: .video, defaultLayer: "backbone.layer4",
                                     task: .classification(classes: 10)),
        "cnn_lstm_attention": ModelDescription(inputKind: .video, defaultLayer: "backbone.layer4",
                                               task: .classification(classes: 10), attentionNode: "attention.weights"),
        "posenet": ModelDescription(inputKind: .image, defaultLayer: "conv5", task: .regression),
        "small_cam_net_2d": ModelDescription(inputKind: .image, defaultLayer: "features.10",
                                             task: .classification(classes: 10)),
        "small_cam_net_3d": ModelDescription(inputKind: .video, defaultLayer: "features.10",
                                             task: .classification(classes: 10)),
        "video_transformer": ModelDescription(inputKind: .video, defaultLayer: "blocks.10",
                                              task: .classification(classes: 400),
                                              tokenGrid: TokenGrid(grid: [8, 14, 14], classTokens: 1)),
    ]

    @Test func everyBuiltInArchitectureDescribesItsInputTaskAndAttention() throws {
        #expect(Set(Self.published.keys) == Set(ModelSpec.architectures))
        for name in ModelSpec.architectures {
            let architecture = try ModelSpec.published(name).makeArchitecture()
            #expect(architecture.modelDescription == Self.published[name], "\(name)")
            #expect(architecture.modelDescription.defaultLayer == architecture.defaultLayer, "\(name)")
        }
    }

    @Test func theTaskCarriesTheSpecsClassCount() throws {
        let spec = try ModelSpec(architecture: "small_cam_net_3d", classes: 7)
        #expect(try spec.makeArchitecture().modelDescription.task == .classification(classes: 7))
    }

    @Test func aPlainBackboneMovesTheCNNLSTMsDefaultLayer() throws {
        // The plain backbone's three stages are conv, norm, ReLU, pool each: the last ReLU is 4·3 − 2.
        let spec = try ModelSpec(architecture: "cnn_lstm_attention", classes: 3, backbone: "plain")
        let description = try spec.makeArchitecture().modelDescription
        #expect(description.defaultLayer == "backbone.10")
        #expect(description.attentionNode == CNNLSTM.attentionWeights)
    }
}
