import Testing
import STCore
import TestSupport
@testable import STExplain

@Suite struct LRPTests {
    func linearModel(weight: Tensor, bias: Tensor?) throws -> ExplainedModel {
        var builder = GraphBuilder(shape: [1, weight.shape[1]])
        var parameters = ["weight": weight]
        if let bias { parameters["bias"] = bias }
        try builder.add("fc", Linear(bias: bias != nil), inputs: ["input"], parameters: parameters)
        return ExplainedModel(graph: try builder.build(output: "fc"),
                              description: ModelDescription(inputKind: .image, defaultLayer: "fc",
                                                            task: .classification(classes: weight.shape[0])))
    }

    func relevance(_ model: ExplainedModel, _ input: Tensor, rule: any LRPRule, target: Target = .topClass) throws -> [Float] {
        let lrp = LRPExplainer(composite: .uniform(rule))
        return try explain(input, model: model, explainer: lrp, target: target).attribution.scalars
    }

    @Test func epsilonRuleSharesTheScoreByContribution() throws {
        // x = (1, 2), W = [[1, −1], [2, 1]], no bias: y = (−1, 4), class 1 wins and R starts at 4.
        // R_i = x_i·w_1i / z_1 · R_1 = (1·2, 2·1)/4 · 4 = (2, 2).
        let model = try linearModel(weight: Tensor(shape: [2, 2], scalars: [1, -1, 2, 1]), bias: nil)
        let r = try relevance(model, Tensor(shape: [1, 2], scalars: [1, 2]), rule: EpsilonRule())
        #expect(zip(r, [2, 2]).allSatisfy { abs($0 - $1) < 1e-5 })
    }

    @Test func alphaBetaRuleSplitsTheBiasBetweenTheDenominators() throws {
        // x = (1, −1), w = (2, 1), b = −0.5: y = 0.5 = R.
        // z⁺ = x⁺w⁺ + x⁻w⁻ + b⁺ = (2, 0) + 0 → 2;  z⁻ = x⁺w⁻ + x⁻w⁺ + b⁻ = (0, −1) − 0.5 → −1.5.
        // R = 2·(2, 0)/2·0.5 − 1·(0, −1)/(−1.5)·0.5 = (1, 0) − (0, 1/3) = (1, −1/3).
        let model = try linearModel(weight: Tensor(shape: [1, 2], scalars: [2, 1]), bias: Tensor(shape: [1], scalars: [-0.5]))
        let r = try relevance(model, Tensor(shape: [1, 2], scalars: [1, -1]), rule: AlphaBetaRule(alpha: 2, beta: 1))
        #expect(zip(r, [1, -1.0 / 3]).allSatisfy { abs($0 - Float($1)) < 1e-5 }, "\(r)")
    }

    @Test func flatAndWSquareIgnoreTheInput() throws {
        // Class 1 (y = 4): flat shares 4 equally (2, 2); w² by w²: (4, 1)/5 · 4 = (3.2, 0.8).
        let model = try linearModel(weight: Tensor(shape: [2, 2], scalars: [1, -1, 2, 1]), bias: nil)
        let x = Tensor(shape: [1, 2], scalars: [1, 2])
        #expect(zip(try relevance(model, x, rule: FlatRule()), [2, 2]).allSatisfy { abs($0 - $1) < 1e-5 })
        #expect(zip(try relevance(model, x, rule: WSquareRule()), [3.2, 0.8]).allSatisfy { abs($0 - $1) < 1e-5 })
    }

    /// A bias-free 3D network: conv → ReLU → max pool → conv → ReLU, a residual sum, global
    /// average pool, linear. Every rule must conserve: Σ R_input = y_c.
    func conservingModel() throws -> ExplainedModel {
        var builder = GraphBuilder(shape: [1, 2, 4, 8, 8])
        let geometry = ConvolutionGeometry(spatialRank: 3, padding: 1)
        try builder.add("conv1", Convolution(geometry: geometry, bias: false), inputs: ["input"],
                        parameters: ["weight": .randomNormal(shape: [4, 2, 3, 3, 3], std: 0.3, seed: 1)])
        try builder.add("relu1", ReLU(), inputs: ["conv1"])
        try builder.add("pool", Pooling(.max, geometry: PoolingGeometry(kernel: [2, 2, 2])), inputs: ["relu1"])
        try builder.add("conv2", Convolution(geometry: geometry, bias: false), inputs: ["pool"],
                        parameters: ["weight": .randomNormal(shape: [4, 4, 3, 3, 3], std: 0.3, seed: 2)])
        try builder.add("relu2", ReLU(), inputs: ["conv2"])
        try builder.add("sum", Add(), inputs: ["relu2", "pool"])
        try builder.add("avgpool", AdaptiveAveragePool.global(spatialRank: 3), inputs: ["sum"])
        try builder.add("flatten", Flatten(startDim: 1), inputs: ["avgpool"])
        try builder.add("fc", Linear(bias: false), inputs: ["flatten"],
                        parameters: ["weight": .randomNormal(shape: [3, 4], seed: 3)])
        return ExplainedModel(graph: try builder.build(output: "fc"),
                              description: ModelDescription(inputKind: .video, defaultLayer: "relu2",
                                                            task: .classification(classes: 3)))
    }

    @Test(arguments: ["epsilon-plus", "epsilon-alpha2-beta1", "zplus", "gamma", "flat", "wsquare", "epsilon"])
    func everyCompositeConservesRelevanceWithoutBiases(composite: String) throws {
        let model = try conservingModel()
        let input = Tensor.randomNormal(shape: [2, 2, 4, 8, 8], seed: 4)
        let lrp = LRPExplainer(composite: try LRPComposite.named(composite))
        let explanation = try explain(input, model: model, explainer: lrp)
        #expect(explanation.attribution.shape == input.shape)
        let perSample = explanation.attribution.count / 2
        for n in 0..<2 {
            let total = explanation.attribution.scalars[(n * perSample)..<((n + 1) * perSample)].reduce(0, +)
            let score = explanation.scores[n]
            #expect(abs(total - score) <= 1e-3 * max(abs(score), 1), "\(composite) sample \(n): Σ R = \(total), y = \(score)")
        }
    }
}

/// Padding and index selection route relevance with their own backward passes.
@Suite struct RoutingRelevanceTests {
    /// A bias-free video net: pad H and W unequally (`mode`), conv, ReLU, frames picked
    /// reversed with the first frame twice, global average pool, linear.
    func model(pad mode: PadMode) throws -> ExplainedModel {
        var builder = GraphBuilder(shape: [1, 2, 4, 6, 6])
        try builder.add("pad", Pad(begin: [0, 0, 0, 2, 1], end: [0, 0, 0, 1, 3], mode: mode), inputs: ["input"])
        try builder.add("conv", Convolution(geometry: ConvolutionGeometry(spatialRank: 3, padding: 1), bias: false), inputs: ["pad"],
                        parameters: ["weight": .randomNormal(shape: [4, 2, 3, 3, 3], std: 0.3, seed: 21)])
        try builder.add("relu", ReLU(), inputs: ["conv"])
        try builder.add("reversed", IndexSelect(axis: 2, indices: [3, 2, 1, 0, 0]), inputs: ["relu"])
        try builder.add("avgpool", AdaptiveAveragePool.global(spatialRank: 3), inputs: ["reversed"])
        try builder.add("flatten", Flatten(startDim: 1), inputs: ["avgpool"])
        try builder.add("fc", Linear(bias: false), inputs: ["flatten"], parameters: ["weight": .randomNormal(shape: [3, 4], seed: 22)])
        return ExplainedModel(graph: try builder.build(output: "fc"),
                              description: ModelDescription(inputKind: .video, defaultLayer: "relu",
                                                            task: .classification(classes: 3)))
    }

    /// Reflect and edge padding hand every copy's relevance to its source and zero padding holds
    /// none under the z-rules, so Σ R_input = y_c. (αβ is left out: it loses relevance wherever
    /// a window's z⁻ is 0, which zero padding makes common.)
    @Test(arguments: [PadMode.reflect, .edge, .constant(0)], ["epsilon-plus", "zplus", "epsilon"])
    func paddingAndIndexSelectionConserveRelevance(mode: PadMode, composite: String) throws {
        let input = Tensor.randomNormal(shape: [1, 2, 4, 6, 6], seed: 23)
        let lrp = LRPExplainer(composite: try LRPComposite.named(composite))
        let explanation = try explain(input, model: try model(pad: mode), explainer: lrp)
        #expect(explanation.attribution.shape == input.shape)
        let total = explanation.attribution.scalars.reduce(0, +), score = explanation.scores[0]
        #expect(abs(total - score) <= 1e-3 * max(abs(score), 1), "\(mode) \(composite): Σ R = \(total), y = \(score)")
    }

    /// x = (1, 2) padded with the constant 1 to p = (1, 1, 2, 1), y = Σ p = 5. ε at the linear
    /// layer: R_p = p = (1, 1, 2, 1); the input keeps its own (1, 2), the constants' 2 is dropped.
    /// Then picked as (x₂, x₁, x₁): y = 2 + 1 + 1 = 4, R = (2, 1, 1), and x₁ collects 1 + 1.
    @Test func constantPaddingDropsWhatTheConstantsHeldAndRepeatedPicksAddUp() throws {
        let ones = Tensor(repeating: 1, shape: [1, 4])
        var padded = GraphBuilder(shape: [1, 2])
        try padded.add("pad", Pad(begin: [0, 1], end: [0, 1], mode: .constant(1)), inputs: ["input"])
        try padded.add("fc", Linear(bias: false), inputs: ["pad"], parameters: ["weight": ones])
        var picked = GraphBuilder(shape: [1, 2])
        try picked.add("pick", IndexSelect(axis: 1, indices: [1, 0, 0]), inputs: ["input"])
        try picked.add("fc", Linear(bias: false), inputs: ["pick"], parameters: ["weight": Tensor(repeating: 1, shape: [1, 3])])
        let x = Tensor(shape: [1, 2], scalars: [1, 2])
        for (builder, expected) in [(padded, [Float(1), 2]), (picked, [2, 2])] {
            let model = ExplainedModel(graph: try builder.build(output: "fc"),
                                       description: ModelDescription(inputKind: .image, defaultLayer: "fc",
                                                                     task: .classification(classes: 1)))
            let relevance = try explain(x, model: model, method: .lrp).attribution.scalars
            #expect(zip(relevance, expected).allSatisfy { abs($0 - $1) < 1e-5 }, "\(relevance)")
        }
    }
}

/// The batch-norm canonizer on the trained r3d_small (real running statistics).
@Suite struct BatchNormFoldingTests {
    @Test func foldingKeepsTheOutputAndTheNames() throws {
        let model = try DemoModels.load("r3d_small")
        let folded = try BatchNormFolding.fold(model.graph)
        let input = Tensor.randomNormal(shape: [2, 3, 16, 32, 32], seed: 5)
        let before = try model.graph.forward(input, options: ForwardOptions(observe: [], differentiable: false)).output.scalars
        let after = try folded.forward(input, options: ForwardOptions(observe: [], differentiable: false)).output.scalars
        let largest = before.map(abs).max()!
        #expect(zip(before, after).allSatisfy { abs($0 - $1) <= 1e-4 * largest })
        #expect(!folded.nodes.contains { $0.op is BatchNorm })
        #expect(try folded.resolve("layer2.0.downsample.1") == "layer2.0.downsample.0")
        #expect(try folded.resolve("layer4") == (try folded.resolve("layer4.1.relu")))
    }

    @Test func zPlusNearlyConservesTheScoreOnAFoldedResNet() throws {
        // z⁺ leaves biases out of its denominators. Where a folded bias alone drives an output
        // (z⁺ = 0 but the output is positive), the relevance arriving there has nowhere to go:
        // on this model only `layer2.0.downsample.0` loses any (1.42 → 1.29), 3.5 % of the score.
        let model = try DemoModels.load("r3d_small")
        let lrp = LRPExplainer(composite: .uniform(ZPlusRule()))
        let explanation = try explain(Tensor.randomNormal(shape: [1, 3, 16, 32, 32], seed: 6), model: model,
                                      explainer: lrp)
        let total = explanation.attribution.scalars.reduce(0, +)
        #expect(abs(total - explanation.scores[0]) <= 0.05 * abs(explanation.scores[0]), "Σ R = \(total), y = \(explanation.scores[0])")
    }
}

@Suite struct FreezeFrameDecompositionTests {
    @Test func splitOfALinearClipModelMatchesTheFormula() throws {
        // One pixel, two frames x = (a, b) = (2, 3); class 0 scores y = w·x with w = (1, 4) and no
        // bias, so ε-LRP gives R = (a·w₀, b·w₁) = (2, 12).
        // Freeze clip 0 = (a, a): relevance (a·w₀, a·w₁) = (2, 8), mean S₀ = 5; freeze clip 1 =
        // (b, b): (3, 12), S₁ = 7.5. Temporal T = R − S = (−3, 4.5).
        var builder = GraphBuilder(shape: [1, 1, 2, 1, 1])
        try builder.add("flatten", Flatten(startDim: 1), inputs: ["input"])
        try builder.add("fc", Linear(bias: false), inputs: ["flatten"],
                        parameters: ["weight": Tensor(shape: [2, 2], scalars: [1, 4, 0, 0])])
        let model = ExplainedModel(graph: try builder.build(output: "fc"),
                                   description: ModelDescription(inputKind: .video, defaultLayer: "flatten",
                                                                 task: .classification(classes: 2)))
        let lrp = SpatioTemporalLRPExplainer(composite: .uniform(EpsilonRule()), batching: Batching(size: 1))
        let explanation = try explain(Tensor(shape: [1, 1, 2, 1, 1], scalars: [2, 3]), model: model,
                                      explainer: lrp, target: .classIndex(0))
        let close = { (a: [Float], b: [Float]) in zip(a, b).allSatisfy { abs($0 - $1) < 1e-4 } }
        #expect(close(explanation.attribution.scalars, [2, 12]))
        let split = try #require(explanation.freezeFrames)
        #expect(close(split.spatial.scalars, [5, 7.5]))
        #expect(close(split.temporal.scalars, [-3, 4.5]))
        // Freeze clips (2, 2) and (3, 3) score (10, 0) and (15, 0): class 0 both times.
        #expect(split.freezeFramePredictions == [[0, 0]])
    }

    @Test func staticClipsTemporalRelevanceSumsToZeroOverTime() throws {
        // Every frame equal: each freeze clip is the clip itself, so S_t = mean_k R_k for every t
        // and Σ_t T_t = Σ_t R_t − T·mean_k R_k = 0 at every pixel and channel.
        let (frames, pixels) = (8, 32 * 32)
        let model = try DemoModels.load("r3d_small", inputShape: [1, 3, frames, 32, 32])
        let frame = Tensor.randomNormal(shape: [3, 1, 32, 32], seed: 9).scalars
        var clip = [Float](repeating: 0, count: 3 * frames * pixels)
        for c in 0..<3 { for t in 0..<frames { for p in 0..<pixels { clip[(c * frames + t) * pixels + p] = frame[c * pixels + p] } } }
        let lrp = SpatioTemporalLRPExplainer(batching: Batching(size: 8))
        let explanation = try explain(Tensor(shape: [1, 3, frames, 32, 32], scalars: clip), model: model,
                                      explainer: lrp)
        let temporal = try #require(explanation.freezeFrames).temporal.scalars
        let largest = explanation.attribution.scalars.map(abs).max()!
        #expect(temporal.map(abs).max()! > 1e-3 * largest)
        for c in 0..<3 {
            for p in 0..<pixels {
                let total = (0..<frames).reduce(Float(0)) { $0 + temporal[(c * frames + $1) * pixels + p] }
                #expect(abs(total) <= 1e-4 * largest)
            }
        }
    }
}

@Suite struct ZBetaRuleTests {
    @Test func zBetaUsesTheInputBox() throws {
        // x = (0.5, −0.5), w = (1, −2), no bias, box [−1, 1]: y = 0.5 + 1 = 1.5 = R.
        // z_i = x_i·w_i − l·w⁺_i − h·w⁻_i = (0.5 + 1, 1 + 2) = (1.5, 3), Σ = 4.5, R = (1.5, 3)/4.5·1.5 = (0.5, 1).
        var builder = GraphBuilder(shape: [1, 2])
        try builder.add("fc", Linear(bias: false), inputs: ["input"], parameters: ["weight": Tensor(shape: [1, 2], scalars: [1, -2])])
        let model = ExplainedModel(graph: try builder.build(output: "fc"),
                                   description: ModelDescription(inputKind: .image, defaultLayer: "fc",
                                                                 task: .classification(classes: 1)))
        let lrp = LRPExplainer(composite: try LRPComposite.named("deep-taylor", bounds: ([-1], [1])))
        let r = try explain(Tensor(shape: [1, 2], scalars: [0.5, -0.5]), model: model, explainer: lrp)
            .attribution.scalars
        #expect(zip(r, [0.5, 1]).allSatisfy { abs($0 - $1) < 1e-5 }, "\(r)")
    }

    @Test func deepTaylorConservesOnTheBiasFreeNet() throws {
        // zβ conserves whenever its denominator is positive, and z⁺ everywhere else.
        let model = try LRPTests().conservingModel()
        let input = Tensor.randomNormal(shape: [1, 2, 4, 8, 8], seed: 11)
        let lrp = LRPExplainer(composite: .deepTaylor(low: [-4], high: [4]))
        let explanation = try explain(input, model: model, explainer: lrp)
        let total = explanation.attribution.scalars.reduce(0, +)
        #expect(abs(total - explanation.scores[0]) <= 1e-3 * max(abs(explanation.scores[0]), 1))
    }
}

/// Every rule against its formula evaluated directly on the weight matrix of a random 5 → 3
/// linear layer with a bias, relevance entering at all three outputs (R_j = y_j·s_j).
@Suite struct LRPRuleFormulaTests {
    let x: [Float] = [0.7, -1.2, 0.3, 2.0, -0.4]
    let w = Tensor.randomNormal(shape: [3, 5], seed: 21).scalars
    let b: [Float] = [0.3, -0.2, 0.1]
    let s: [Float] = [1, -0.5, 2]

    func viaLRP(_ rule: any LRPRule) throws -> [Float] {
        var builder = GraphBuilder(shape: [1, 5])
        try builder.add("fc", Linear(), inputs: ["input"], parameters: ["weight": Tensor(shape: [3, 5], scalars: w),
                                                                         "bias": Tensor(shape: [3], scalars: b)])
        let model = ExplainedModel(graph: try builder.build(output: "fc"),
                                   description: ModelDescription(inputKind: .image, defaultLayer: "fc",
                                                                 task: .classification(classes: 3)))
        let lrp = LRPExplainer(composite: LRPComposite(name: "test", convolution: EpsilonRule(), linear: EpsilonRule(), nodes: ["fc": rule]))
        let target = Target.custom(.weighted(by: Tensor(shape: [1, 3], scalars: s)))
        return try explain(Tensor(shape: [1, 5], scalars: x), model: model, explainer: lrp, target: target)
            .attribution.scalars
    }

    /// R_i = Σ_j c(i, j) / (Σ_i' c(i', j) + extra_j) · R_j for a contribution matrix c.
    func direct(_ contribution: (Int, Int) -> Float, extra: (Int) -> Float = { _ in 0 }) -> [Float] {
        let y = (0..<3).map { j in (0..<5).reduce(b[j]) { $0 + x[$1] * w[j * 5 + $1] } }
        return (0..<5).map { i in
            (0..<3).reduce(Float(0)) { sum, j in
                let z = (0..<5).reduce(extra(j)) { $0 + contribution($1, j) }
                return sum + contribution(i, j) / z * y[j] * s[j]
            }
        }
    }

    @Test func epsilon() throws {
        expectClose(try viaLRP(EpsilonRule(epsilon: 0)),
                    direct({ i, j in self.x[i] * self.w[j * 5 + i] }, extra: { self.b[$0] }), .relative(1e-4, floor: 1))
    }

    @Test func zPlus() throws {
        expectClose(try viaLRP(ZPlusRule()), direct { i, j in
            let (xi, wij) = (self.x[i], self.w[j * 5 + i])
            return max(xi, 0) * max(wij, 0) + min(xi, 0) * min(wij, 0)
        }, .relative(1e-4, floor: 1))
    }

    /// zennit's ZPlus, which its EpsilonPlus composite uses for convolutions, keeps b⁺ in the
    /// denominator (found by the zennit parity fixtures, PeerParityTests).
    @Test func zPlusWithZennitsPositiveBias() throws {
        let positive = { (i: Int, j: Int) in
            max(self.x[i], 0) * max(self.w[j * 5 + i], 0) + min(self.x[i], 0) * min(self.w[j * 5 + i], 0)
        }
        expectClose(try viaLRP(ZPlusRule(includesBias: true)), direct(positive, extra: { max(self.b[$0], 0) }),
                    .relative(1e-4, floor: 1))
        #expect((LRPComposite.epsilonPlus.convolution as? ZPlusRule)?.includesBias == true)
    }

    @Test func alpha2Beta1() throws {
        let positive = direct({ i, j in max(self.x[i], 0) * max(self.w[j * 5 + i], 0) + min(self.x[i], 0) * min(self.w[j * 5 + i], 0) },
                              extra: { max(self.b[$0], 0) })
        let negative = direct({ i, j in max(self.x[i], 0) * min(self.w[j * 5 + i], 0) + min(self.x[i], 0) * max(self.w[j * 5 + i], 0) },
                              extra: { min(self.b[$0], 0) })
        expectClose(try viaLRP(AlphaBetaRule(alpha: 2, beta: 1)), zip(positive, negative).map { 2 * $0 - $1 },
                    .relative(1e-4, floor: 1))
    }

    @Test func flatAndWSquare() throws {
        expectClose(try viaLRP(FlatRule()), direct { _, _ in 1 }, .relative(1e-4, floor: 1))
        expectClose(try viaLRP(WSquareRule()), direct { i, j in self.w[j * 5 + i] * self.w[j * 5 + i] },
                    .relative(1e-4, floor: 1))
    }

    @Test func gamma() throws {
        let gamma: Float = 0.25
        let boost = { (value: Float) in value + gamma * max(value, 0) }
        expectClose(try viaLRP(GammaRule(gamma: gamma)), direct({ i, j in self.x[i] * boost(self.w[j * 5 + i]) },
                                                               extra: { boost(self.b[$0]) }), .relative(1e-4, floor: 1))
    }

    @Test func zBeta() throws {
        let (low, high): (Float, Float) = (-2, 3)
        expectClose(try viaLRP(ZBetaRule(low: [low], high: [high])), direct({ i, j in
            let wij = self.w[j * 5 + i]
            return self.x[i] * wij - low * max(wij, 0) - high * min(wij, 0)
        }, extra: { self.b[$0] }), .relative(1e-4, floor: 1))
    }
}

@Suite struct LRPTheoryTests {
    @Test func zPlusEqualsGradientTimesInputOnAPositiveReLUNet() throws {
        // With x ≥ 0 and w ≥ 0 every z⁺ is the plain pre-activation, and a bias-free ReLU net is
        // positively homogeneous, so z⁺-LRP = ε-LRP (ε → 0) = x ⊙ ∂y/∂x.
        var builder = GraphBuilder(shape: [1, 2, 4, 6, 6])
        let geometry = ConvolutionGeometry(spatialRank: 3, padding: 1)
        let positive = { (shape: [Int], seed: UInt64) in Tensor(shape: shape, scalars: Tensor.randomNormal(shape: shape, seed: seed).scalars.map(abs)) }
        try builder.add("conv", Convolution(geometry: geometry, bias: false), inputs: ["input"],
                        parameters: ["weight": positive([3, 2, 3, 3, 3], 1)])
        try builder.add("relu", ReLU(), inputs: ["conv"])
        try builder.add("pool", AdaptiveAveragePool.global(spatialRank: 3), inputs: ["relu"])
        try builder.add("flatten", Flatten(startDim: 1), inputs: ["pool"])
        try builder.add("fc", Linear(bias: false), inputs: ["flatten"], parameters: ["weight": positive([2, 3], 2)])
        let model = ExplainedModel(graph: try builder.build(output: "fc"),
                                   description: ModelDescription(inputKind: .video, defaultLayer: "relu",
                                                                 task: .classification(classes: 2)))
        let input = positive([1, 2, 4, 6, 6], 3)
        let lrp = LRPExplainer(composite: .uniform(ZPlusRule()))
        let relevance = try explain(input, model: model, explainer: lrp).attribution.scalars
        let gradient = try explain(input, model: model, method: .saliency).attribution.scalars
        let expected = zip(input.scalars, gradient).map { $0 * $1 }
        let largest = expected.max()!
        #expect(zip(relevance, expected).allSatisfy { abs($0 - $1) <= 1e-4 * largest })
    }

    @Test func deepTaylorNearlyConservesOnTheC3DDemoModel() throws {
        // C3D has no batch norm; only its small conv biases can absorb relevance under zβ/z⁺.
        let model = try DemoModels.load("c3d_small")
        let input = Tensor.randomNormal(shape: [1, 3, 16, 32, 32], seed: 12)
        let lrp = LRPExplainer(composite: .deepTaylor(low: [-3], high: [3]))
        let explanation = try explain(input, model: model, explainer: lrp)
        let total = explanation.attribution.scalars.reduce(0, +)
        #expect(abs(total - explanation.scores[0]) <= 0.01 * abs(explanation.scores[0]), "Σ R = \(total), y = \(explanation.scores[0])")
    }
}

@Suite struct AveragePoolingRelevanceTests {
    @Test func proportionalOrUniform() throws {
        // x = (1, 3) pooled to their mean 2, y = 2·2 = 4. In proportion: (1, 3)/4 · 4 = (1, 3);
        // seed 002's R/N: (2, 2).
        var builder = GraphBuilder(shape: [1, 1, 1, 2])
        try builder.add("pool", AdaptiveAveragePool.global(spatialRank: 2), inputs: ["input"])
        try builder.add("flatten", Flatten(startDim: 1), inputs: ["pool"])
        try builder.add("fc", Linear(bias: false), inputs: ["flatten"], parameters: ["weight": Tensor(shape: [1, 1], scalars: [2])])
        let model = ExplainedModel(graph: try builder.build(output: "fc"),
                                   description: ModelDescription(inputKind: .image, defaultLayer: "pool",
                                                                 task: .classification(classes: 1)))
        let input = Tensor(shape: [1, 1, 1, 2], scalars: [1, 3])
        let proportional = try explain(input, model: model, method: .lrp).attribution.scalars
        #expect(zip(proportional, [1, 3]).allSatisfy { abs($0 - $1) < 1e-5 }, "\(proportional)")
        let uniformPooling = LRPExplainer(composite: LRPComposite.epsilonPlus.averagingUniformly())
        let uniform = try explain(input, model: model, explainer: uniformPooling).attribution.scalars
        #expect(zip(uniform, [2, 2]).allSatisfy { abs($0 - $1) < 1e-5 }, "\(uniform)")
    }
}

/// The αβ and ε rules read the last group's z off the layer's forward output (output minus the
/// other groups' z) instead of evaluating the layer once more: the same relevance as evaluating
/// every group, on biased convolutions with inputs of both signs and tensors large enough for
/// the element-wise loops to run in parallel chunks.
@Suite struct DerivedDenominatorTests {
    /// The same rule with every group evaluated.
    struct EvaluatingEveryGroup: LRPRule {
        let base: any LRPRule
        var name: String { base.name }
        var epsilon: Float { base.epsilon }
        func groups(input x: Tensor, parameters: [Tensor], roles: [String]) -> [LRPGroup] {
            base.groups(input: x, parameters: parameters, roles: roles)
        }
    }

    func model() throws -> ExplainedModel {
        var builder = GraphBuilder(shape: [1, 3, 8, 24, 24])
        let geometry = ConvolutionGeometry(spatialRank: 3, padding: 1)
        try builder.add("conv1", Convolution(geometry: geometry, bias: true), inputs: ["input"],
                        parameters: ["weight": .randomNormal(shape: [8, 3, 3, 3, 3], std: 0.3, seed: 5),
                                     "bias": .randomNormal(shape: [8], std: 0.1, seed: 6)])
        try builder.add("relu1", ReLU(), inputs: ["conv1"])
        try builder.add("conv2", Convolution(geometry: geometry, bias: true), inputs: ["relu1"],
                        parameters: ["weight": .randomNormal(shape: [8, 8, 3, 3, 3], std: 0.2, seed: 7),
                                     "bias": .randomNormal(shape: [8], std: 0.1, seed: 8)])
        try builder.add("relu2", ReLU(), inputs: ["conv2"])
        try builder.add("avgpool", AdaptiveAveragePool.global(spatialRank: 3), inputs: ["relu2"])
        try builder.add("flatten", Flatten(startDim: 1), inputs: ["avgpool"])
        try builder.add("fc", Linear(), inputs: ["flatten"],
                        parameters: ["weight": .randomNormal(shape: [3, 8], seed: 9), "bias": .randomNormal(shape: [3], seed: 10)])
        return ExplainedModel(graph: try builder.build(output: "fc"),
                              description: ModelDescription(inputKind: .video, defaultLayer: "relu2",
                                                            task: .classification(classes: 3)))
    }

    @Test(arguments: ["alpha2beta1", "epsilon"])
    func derivedDenominatorsGiveTheSameRelevance(rule name: String) throws {
        let rule: any LRPRule = name == "epsilon" ? EpsilonRule(epsilon: 1e-6) : AlphaBetaRule(alpha: 2, beta: 1)
        #expect(rule.groupsSumToLayer)
        let model = try model()
        let input = Tensor.randomNormal(shape: [2, 3, 8, 24, 24], seed: 11)
        func attribution(_ rule: any LRPRule) throws -> [Float] {
            let lrp = LRPExplainer(composite: LRPComposite(name: "test", convolution: rule, linear: rule))
            return try explain(input, model: model, explainer: lrp, target: .classIndex(1)).attribution.scalars
        }
        let (derived, evaluated) = (try attribution(rule), try attribution(EvaluatingEveryGroup(base: rule)))
        let largest = evaluated.map(abs).max() ?? 1
        #expect(largest > 0)
        #expect(zip(derived, evaluated).allSatisfy { abs($0 - $1) <= 1e-4 * largest })
    }
}
