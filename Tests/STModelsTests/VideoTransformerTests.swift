import Foundation
import Testing
import TestSupport
import STCore
@testable import STModels

/// The built-in video transformer: shapes of both attention layouts, timm/TimeSformer state keys,
/// where the class token and the attention maps sit, the input gradient of the whole network
/// against finite differences, and the `ModelSpec` that rebuilds a trained one.
@Suite struct VideoTransformerTests {
    /// Width 24 in 2 heads of 12, two blocks, tubelet 2 × 4 × 4 over a batch of two 4 × 8 × 8
    /// clips: a 2 × 2 × 2 token grid, so 8 patch tokens and the class token.
    static func small(_ attention: VideoTransformer.Attention) -> VideoTransformer {
        VideoTransformer(classes: 5, width: 24, depth: 2, heads: 2, tubelet: [2, 4, 4], attention: attention,
                         inputShape: [2, 3, 4, 8, 8])
    }

    @Test func jointAttentionShapes() throws {
        let model = Self.small(.joint)
        let shapes = try model.graph(seed: 1).inferShapes(["input": model.inputShape])
        #expect(shapes["patch_embed.proj"] == [2, 24, 2, 2, 2])
        #expect(shapes["patch_embed"] == [2, 8, 24])
        #expect(shapes["cls_token"] == [2, 9, 24])
        #expect(shapes["blocks.0.attn.q"] == [2, 2, 9, 12])
        #expect(shapes["blocks.0.attn.softmax"] == [2, 2, 9, 9])
        #expect(shapes["blocks.1.mlp.fc1"] == [2, 9, 96])
        #expect(shapes["blocks.1.mlp_residual"] == [2, 9, 24])
        #expect(shapes["pre_logits"] == [2, 24])
        #expect(shapes["head"] == [2, 5])
    }

    @Test func dividedAttentionGroupsTokensByPositionThenByFrame() throws {
        // Temporal: 2 samples × 4 positions = 8 sequences of T′ = 2 tokens. Spatial: 2 samples ×
        // 2 frames = 4 sequences of the class token and H′W′ = 4 tokens.
        let model = Self.small(.divided)
        let shapes = try model.graph(seed: 1).inferShapes(["input": model.inputShape])
        #expect(shapes["blocks.0.temporal.sequences"] == [8, 2, 24])
        #expect(shapes["blocks.0.temporal_attn.softmax"] == [8, 2, 2, 2])
        #expect(shapes["blocks.0.temporal_fc"] == [2, 8, 24])
        #expect(shapes["blocks.0.cls.per_frame"] == [4, 1, 24])
        #expect(shapes["blocks.0.attn.softmax"] == [4, 2, 5, 5])
        #expect(shapes["blocks.0.attn.cls.mean"] == [2, 1, 24])
        #expect(shapes["blocks.0.attn_residual"] == [2, 9, 24])
        #expect(shapes["head"] == [2, 5])
    }

    @Test(arguments: VideoTransformer.Attention.allCases)
    func stateKeysAreTimmsAndTimeSformers(attention: VideoTransformer.Attention) throws {
        let state = try Self.small(attention).graph(seed: 1).stateDict
        var expected: [String: [Int]] = [
            "patch_embed.proj.weight": [24, 3, 2, 4, 4], "patch_embed.proj.bias": [24], "cls_token": [1, 1, 24],
            "pos_embed": [1, 9, 24], "norm.weight": [24], "norm.bias": [24], "head.weight": [5, 24], "head.bias": [5],
        ]
        let linears: [(String, [Int])] = [("attn.qkv", [72, 24]), ("attn.proj", [24, 24]), ("mlp.fc1", [96, 24]),
                                          ("mlp.fc2", [24, 96])]
            + (attention == .divided ? [("temporal_attn.qkv", [72, 24]), ("temporal_attn.proj", [24, 24]),
                                        ("temporal_fc", [24, 24])] : [])
        let norms = ["norm1", "norm2"] + (attention == .divided ? ["temporal_norm1"] : [])
        for block in 0..<2 {
            for (name, shape) in linears {
                expected["blocks.\(block).\(name).weight"] = shape
                expected["blocks.\(block).\(name).bias"] = [shape[0]]
            }
            for name in norms {
                expected["blocks.\(block).\(name).weight"] = [24]
                expected["blocks.\(block).\(name).bias"] = [24]
            }
        }
        #expect(state.mapValues(\.shape) == expected)
    }

    @Test func parameterCountsFollowTheDefinition() throws {
        // Patch embedding 24·3·2·4·4 + 24 = 2,328; class token 24; positions 9·24 = 216. A joint
        // block: norms 2·48, qkv 24·72 + 72 = 1,800, proj 600, fc1 24·96 + 96 = 2,400, fc2
        // 96·24 + 24 = 2,328: 7,224. Final norm 48, head 24·5 + 5 = 125. Two blocks: 17,189.
        // Divided blocks add temporal_norm1 48, temporal qkv 1,800, proj 600, temporal_fc 600:
        // 3,048 each, 23,285 in all.
        #expect(try Self.small(.joint).graph(seed: 1).parameterCount == 17_189)
        #expect(try Self.small(.divided).graph(seed: 1).parameterCount == 23_285)
    }

    @Test(arguments: VideoTransformer.Attention.allCases)
    func theClassTokenLeadsAndEverySoftmaxIsTheLeftOperandOfItsProduct(attention: VideoTransformer.Attention) throws {
        let model = Self.small(attention)
        let graph = try model.graph(seed: 1)
        let classToken = try graph.node(named: "cls_token")
        #expect(classToken.op is PrependTokens)
        #expect(classToken.inputs == ["patch_embed"])
        #expect(classToken.parameterKeys == ["cls_token"])
        #expect(try graph.node(named: "norm.cls").inputs == ["norm"])
        #expect(model.attentionNodes.count == (attention == .joint ? 2 : 4))
        for name in model.attentionNodes {
            #expect(try graph.node(named: name).op is Softmax, "\(name)")
            let consumers = graph.nodes.filter { $0.inputs.contains(name) }
            #expect(consumers.count == 1 && consumers[0].op is MatMul && consumers[0].inputs.first == name, "\(name)")
        }
        // Each attention row is a distribution over the tokens it attends to.
        let trace = try graph.forward(Tensor.randomNormal(shape: model.inputShape, seed: 2))
        for name in model.attentionNodes {
            let map = try trace.activation(name)
            let (values, width) = (map.scalars, map.shape[map.rank - 1])
            for row in stride(from: 0, to: values.count, by: width) {
                #expect(abs(values[row..<(row + width)].reduce(0, +) - 1) < 1e-5, "\(name)")
            }
        }
    }

    @Test(arguments: VideoTransformer.Attention.allCases)
    func theDescriptionNamesTheTokenGridAndTheLastBlocksInput(attention: VideoTransformer.Attention) throws {
        let model = Self.small(attention)
        let expected = ModelDescription(inputKind: .video, defaultLayer: "blocks.0", task: .classification(classes: 5),
                                        tokenGrid: TokenGrid(grid: [2, 2, 2], classTokens: 1))
        #expect(model.modelDescription == expected)
        #expect(try model.graph(seed: 1).resolve("blocks.0") == "blocks.0.mlp_residual")
        var single = model
        single.depth = 1
        #expect(single.defaultLayer == "pos_embed.add")
    }

    /// The input gradient of Σ w ⊙ logits through every op of the network (convolution, class
    /// token, position embedding, layer norms, attention, GELU, the divided layout's reshapes,
    /// copies and means) against central differences, with weights drawn large enough (std 0.3)
    /// that the softmaxes and layer norms are far from linear.
    @Test(arguments: VideoTransformer.Attention.allCases)
    func inputGradientMatchesFiniteDifferences(attention: VideoTransformer.Attention) throws {
        let model = VideoTransformer(classes: 3, width: 8, depth: 2, heads: 2, tubelet: [1, 2, 2], attention: attention,
                                     inputShape: [1, 3, 2, 4, 4])
        var graph = try model.graph(seed: 1)
        for (index, key) in graph.parameters.keys.sorted().enumerated() {
            graph.parameters[key] = Tensor.randomNormal(shape: graph.parameters[key]!.shape, std: 0.3, seed: 100 + UInt64(index))
        }
        let input = Tensor.randomNormal(shape: model.inputShape, seed: 3)
        let weights = Tensor(shape: [1, 3], scalars: [1, -0.5, 0.25])
        let analytic = try #require(try graph.forward(input).gradient(of: .weighted(by: weights), at: ["input"])["input"])
        let numeric = try FiniteDifference.gradient(of: { x in
            let logits = try graph.forward(x, options: ForwardOptions(observe: [], differentiable: false)).output
            return zip(logits.scalars, weights.scalars).reduce(0) { $0 + $1.0 * $1.1 }
        }, at: input)
        expectClose(analytic.plain(), numeric, .normwise(2e-3))
    }

    @Test(arguments: VideoTransformer.Attention.allCases)
    func theUnfilledGraphHasTheSameStructureAndZeroWeights(attention: VideoTransformer.Attention) throws {
        let model = Self.small(attention)
        let (initialised, unfilled) = (try model.graph(seed: 3), try model.unfilledGraph())
        #expect(unfilled.nodes.map(\.name) == initialised.nodes.map(\.name))
        #expect(unfilled.parameters.mapValues(\.shape) == initialised.parameters.mapValues(\.shape))
        // Layer-norm scales are 1 and the position embeddings sine–cosine codes in both; the rest is 0.
        let drawn = unfilled.parameters.filter { !$0.key.contains("norm") && $0.key != "pos_embed" }
        #expect(drawn.values.allSatisfy { $0.scalars.allSatisfy { $0 == 0 } })
        #expect(unfilled.parameters["pos_embed"] == initialised.parameters["pos_embed"])
    }

    @Test func positionEmbeddingsStartAsSineCosineCodesOfEachAxis() throws {
        // Grid 2 × 3, width 6: pairs 0 and 2 code axis 0 (K = 2 frequencies: 1 and 10000^(−1/2) =
        // 0.01), pair 1 codes axis 1 (K = 1: frequency 1). Cell (1, 2) is row 1 + 5 after the
        // class token's zero row: (sin 1, cos 1, sin 2, cos 2, sin 0.01, cos 0.01).
        let codes = SinusoidalPositions.codes(grid: [2, 3], width: 6, leadingRows: 1)
        #expect(codes.shape == [1, 7, 6])
        let values = codes.scalars
        #expect(values[0..<6].allSatisfy { $0 == 0 })
        expectClose(Array(values[36..<42]), [sin(1), cos(1), sin(2), cos(2), sin(0.01), cos(0.01)], .absolute(1e-6))
    }

    @Test func aSpecRecordsDepthHeadsTubeletAndAttention() throws {
        // Width 1/8 of ViT-Base's 768 is 96; heads given as 4 (24 wide).
        let spec = try ModelSpec(architecture: "video_transformer", classes: 8, widthMultiplier: 0.125,
                                 inputShape: [1, 3, 16, 32, 32], depth: 3, heads: 4, tubelet: [4, 4, 4], attention: "divided")
        let decoded = try JSONDecoder().decode(ModelSpec.self, from: try JSONEncoder().encode(spec))
        #expect(decoded == spec)
        let model = try #require(try decoded.makeArchitecture() as? VideoTransformer)
        #expect([model.width, model.depth, model.heads] == [Int]([96, 3, 4]))
        #expect(model.tubelet == [4, 4, 4])
        #expect(model.attention == VideoTransformer.Attention.divided)
        #expect(model.modelDescription.tokenGrid == TokenGrid(grid: [4, 8, 8], classTokens: 1))
    }

    @Test func unsetSizesArePublishedOnesAndHeadsScaleWithTheWidth() throws {
        // ViT-Tiny's width (1/4 of 768 = 192) keeps 64-wide heads: 12/4 = 3 of them.
        let tiny = try #require(try ModelSpec(architecture: "video_transformer", classes: 8, widthMultiplier: 0.25)
            .makeArchitecture() as? VideoTransformer)
        #expect([tiny.width, tiny.depth, tiny.heads] == [Int]([192, 12, 3]))
        #expect(tiny.tubelet == [2, 16, 16])
        #expect(tiny.attention == VideoTransformer.Attention.joint)
        #expect(tiny.grid == [8, 14, 14])
    }

    @Test func sizesThatDoNotFitAreInvalidRequests() throws {
        expectError(.invalidRequest, mentioning: "width divisible by the heads") {
            try VideoTransformer(classes: 2, width: 10, depth: 1, heads: 3, tubelet: [2, 4, 4], inputShape: [1, 3, 4, 8, 8]).graph()
        }
        expectError(.invalidRequest, mentioning: "that the tubelet divides") {
            try VideoTransformer(classes: 2, width: 8, depth: 1, heads: 2, tubelet: [3, 4, 4], inputShape: [1, 3, 4, 8, 8]).graph()
        }
        expectError(.invalidRequest, mentioning: "neither joint nor divided") {
            try ModelSpec(architecture: "video_transformer", classes: 2, attention: "sparse").makeArchitecture()
        }
    }
}
