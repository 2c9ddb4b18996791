import Foundation
import Testing
import STCore
import STModels
import TestSupport
@testable import STExplain

/// LRP through LSTMs and attention (Arras et al. 2017, 2019): signal-take-all for the gates, ε
/// for the cell's sum and the linear maps.
@Suite struct LRPRecurrentTests {
    /// The relevance of `lstm`'s input for `input` from `relevance` of its output, ε as given.
    func lstmInputRelevance(_ lstm: LSTM, parameters: [Tensor], input: Tensor, relevance: Tensor,
                            epsilon: Float) throws -> Tensor {
        var context = ForwardContext()
        let record = OpRecord(inputs: [input], parameters: parameters,
                              output: try lstm.forward([input], parameters: parameters, context: &context))
        return try LSTMRelevance.inputRelevance(of: lstm, record: record, relevance: relevance, epsilon: epsilon)
    }

    @Test func oneUnitLSTMOverTwoStepsMatchesTheFormulas() throws {
        // One unit, one input feature, gate rows i, f, g, o: W_ih = (0.5, 1, 1, 0), W_hh = (0, 0, 2, 0),
        // b_ih = (0, 0, −0.5, 0), b_hh = 0; x = (1, 2); relevance of (h_0, h_1) = (1, 2); ε = 0.
        // Forward:
        //   t = 0: i = σ(0.5) = 0.622459, g = tanh(1 − 0.5) = 0.462117, c_0 = i·g = 0.287649,
        //          o = σ(0) = 0.5, h_0 = 0.5·tanh(0.287649) = 0.139985
        //   t = 1: i = σ(1) = 0.731059, f = σ(2) = 0.880797, z_g = 2 + 2·h_0 − 0.5 = 1.779970,
        //          g = tanh(z_g) = 0.944692, f·c_0 = 0.253361, i·g = 0.690625, c_1 = 0.943986
        // Relevance, t = 1: R_c1 = R_h1 = 2 (o gets nothing);
        //   R_c0 (cell path) = f·c_0/c_1 · 2 = 0.536789,  R_g1 = i·g/c_1 · 2 = 1.463211;
        //   z_g = x_1·1 + h_0·2 + b: R_x1 = 2/z_g · R_g1 = 1.644085, R_h0 = 2·h_0/z_g · R_g1 = 0.230147
        //   (the bias absorbs −0.5/z_g · R_g1 = −0.411021).
        // t = 0: R_c0 = R_h0 from above (1) + 0.230147 + 0.536789 = 1.766936, all of it to i·g
        //   (c_{−1} = 0): R_g0 = 1.766936; z_g = x_0·1 − 0.5 = 0.5: R_x0 = 1/0.5 · R_g0 = 3.533872.
        let lstm = LSTM(hiddenSize: 1)
        let parameters = [Tensor(shape: [4, 1], scalars: [0.5, 1, 1, 0]), Tensor(shape: [4, 1], scalars: [0, 0, 2, 0]),
                          Tensor(shape: [4], scalars: [0, 0, -0.5, 0]), Tensor(zeros: [4])]
        let relevance = try lstmInputRelevance(lstm, parameters: parameters, input: Tensor(shape: [1, 2, 1], scalars: [1, 2]),
                                               relevance: Tensor(shape: [1, 2, 1], scalars: [1, 2]), epsilon: 0)
        #expect(relevance.shape == [1, 2, 1])
        expectClose(relevance.scalars, [3.533872, 1.644085], .relative(1e-5, floor: 1))
    }

    @Test func biasFreeLSTMConservesRelevance() throws {
        // Without biases every linear map and every cell sum conserves, and the zero initial state
        // takes nothing: Σ R_in = Σ R_out up to ε — for two layers, two samples, every step's
        // output relevant.
        let lstm = LSTM(hiddenSize: 3, layers: 2, bias: false)
        let parameters = [Tensor.randomNormal(shape: [12, 4], seed: 1), .randomNormal(shape: [12, 3], seed: 2),
                          .randomNormal(shape: [12, 3], seed: 3), .randomNormal(shape: [12, 3], seed: 4)]
        let outputRelevance = Tensor.randomUniform(shape: [2, 5, 3], in: 0...1, seed: 6)
        let relevance = try lstmInputRelevance(lstm, parameters: parameters, input: .randomNormal(shape: [2, 5, 4], seed: 5),
                                               relevance: outputRelevance, epsilon: 1e-6)
        #expect(relevance.shape == [2, 5, 4])
        for n in 0..<2 {
            let total = relevance.scalars[(n * 20)..<((n + 1) * 20)].reduce(0, +)
            let expected = outputRelevance.scalars[(n * 15)..<((n + 1) * 15)].reduce(0, +)
            print("bias-free 2-layer LSTM, sample \(n): Σ R_in = \(total), Σ R_out = \(expected)")
            #expect(abs(total - expected) <= 1e-4 * expected)
        }
    }

    @Test func lrpThroughAnLSTMModelConservesTheScore() throws {
        // input (N, T, 2) → bias-free LSTM → last step → bias-free linear: Σ R_in = y_c.
        var builder = GraphBuilder(shape: [1, 4, 2])
        try builder.add("lstm", LSTM(hiddenSize: 3, bias: false), inputs: ["input"], parameters: [
            "weight_ih_l0": .randomNormal(shape: [12, 2], seed: 1), "weight_hh_l0": .randomNormal(shape: [12, 3], seed: 2)])
        try builder.add("last", Slice(axis: 1, start: -1), inputs: ["lstm"])
        try builder.add("context", Reshape([0, -1]), inputs: ["last"])
        try builder.add("fc", Linear(bias: false), inputs: ["context"], parameters: ["weight": .randomNormal(shape: [2, 3], seed: 3)])
        let model = ExplainedModel(graph: try builder.build(output: "fc"),
                                   description: ModelDescription(inputKind: .image, defaultLayer: "lstm",
                                                                 task: .classification(classes: 2)))
        let explanation = try explain(Tensor.randomNormal(shape: [1, 4, 2], seed: 4), model: model, method: .lrp)
        let total = explanation.attribution.scalars.reduce(0, +)
        #expect(abs(total - explanation.scores[0]) <= 1e-4 * abs(explanation.scores[0]), "Σ R = \(total), y = \(explanation.scores[0])")
    }

    @Test func attentionPoolingRoutesEverythingToTheFeatures() throws {
        // Features x (T = 2, F = 2) = [[0, 1], [ln 3, 2]]; scores s_t = x_t0 = (0, ln 3), a = softmax(s) = (1/4, 3/4);
        // context = a·x = (0.75·ln 3, 0.25 + 1.5) = (0.823959, 1.75); y = w·context with w = (1, 2): 4.323959.
        // ε at fc: R_context = w ⊙ context; attention pooling (a is the gate): R_x[t, h] = a_t·x[t, h]/context_h ·
        // R_context_h = a_t·x[t, h]·w_h = [[0, 0.25·2], [0.75·ln 3, 0.75·4]] = [[0, 0.5], [0.823959, 3]] — Σ = y, and
        // the score path (through the softmax) gets nothing.
        var builder = GraphBuilder(shape: [1, 2, 2])
        try builder.add("score", Linear(bias: false), inputs: ["input"], parameters: ["weight": Tensor(shape: [1, 2], scalars: [1, 0])])
        try builder.add("scores", Reshape([0, -1]), inputs: ["score"])
        try builder.add("weights", Softmax(axis: 1), inputs: ["scores"])
        try builder.add("weights.row", Reshape([0, 1, -1]), inputs: ["weights"])
        try builder.add("pooled", MatMul(), inputs: ["weights.row", "input"])
        try builder.add("context", Reshape([0, -1]), inputs: ["pooled"])
        try builder.add("fc", Linear(bias: false), inputs: ["context"], parameters: ["weight": Tensor(shape: [1, 2], scalars: [1, 2])])
        let model = ExplainedModel(graph: try builder.build(output: "fc"),
                                   description: ModelDescription(inputKind: .image, defaultLayer: "context",
                                                                 task: .classification(classes: 1)))
        let ln3 = Float(log(3.0))
        let explanation = try explain(Tensor(shape: [1, 2, 2], scalars: [0, 1, ln3, 2]), model: model, method: .lrp)
        expectClose(explanation.scores, [4.323959], .relative(1e-5, floor: 1))
        expectClose(explanation.attribution.scalars, [0, 0.5, 0.823959, 3], .relative(1e-5, floor: 1))
    }

    @Test func sigmoidGatedProductRoutesEverythingToTheSignal() throws {
        // x = (ln 3, −ln 3), gate σ(x) = (3/4, 1/4), p = σ(x) ⊙ x = (0.823959, −0.274653), y = (1, 2)·p = 0.274653.
        // ε at fc: R_p = w ⊙ p = (0.823959, −0.549306); signal-take-all: R_x = R_p (the sigmoid's input, x itself,
        // gets nothing through the gate).
        var builder = GraphBuilder(shape: [1, 2])
        try builder.add("gate", Sigmoid(), inputs: ["input"])
        try builder.add("gated", Multiply(), inputs: ["input", "gate"])
        try builder.add("fc", Linear(bias: false), inputs: ["gated"], parameters: ["weight": Tensor(shape: [1, 2], scalars: [1, 2])])
        let model = ExplainedModel(graph: try builder.build(output: "fc"),
                                   description: ModelDescription(inputKind: .image, defaultLayer: "gated",
                                                                 task: .classification(classes: 1)))
        let ln3 = Float(log(3.0))
        let explanation = try explain(Tensor(shape: [1, 2], scalars: [ln3, -ln3]), model: model, method: .lrp)
        expectClose(explanation.scores, [0.274653], .relative(1e-5, floor: 1))
        expectClose(explanation.attribution.scalars, [0.823959, -0.549306], .relative(1e-5, floor: 1))
    }

    @Test func divisionByAComputedNormRoutesEverythingToTheDividend() throws {
        // x = (1, 3), b = mean(x ⊙ x) = (1 + 9)/2 = 5, p = x ⊙ 1/b = (0.2, 0.6), y = (1, 2)·p = 1.4.
        // ε at fc: R_p = w ⊙ p = (0.2, 1.2); the reciprocal is the gate, so R_x = R_p and Σ R_x = y
        // (the divisor's path, x ⊙ x included, gets nothing).
        var builder = GraphBuilder(shape: [1, 2])
        try builder.add("square", Multiply(), inputs: ["input", "input"])
        try builder.add("norm", Mean(axes: [1], keepDims: true), inputs: ["square"])
        try builder.add("inverse", Reciprocal(), inputs: ["norm"])
        try builder.add("scaled", Multiply(), inputs: ["input", "inverse"])
        try builder.add("fc", Linear(bias: false), inputs: ["scaled"], parameters: ["weight": Tensor(shape: [1, 2], scalars: [1, 2])])
        let model = ExplainedModel(graph: try builder.build(output: "fc"),
                                   description: ModelDescription(inputKind: .image, defaultLayer: "scaled",
                                                                 task: .classification(classes: 1)))
        let explanation = try explain(Tensor(shape: [1, 2], scalars: [1, 3]), model: model, method: .lrp)
        expectClose(explanation.scores, [1.4], .relative(1e-5, floor: 1))
        expectClose(explanation.attribution.scalars, [0.2, 1.2], .relative(1e-5, floor: 1))
    }

    @Test func relevanceReachingAReciprocalIsUnsupported() throws {
        var builder = GraphBuilder(shape: [1, 2])
        try builder.add("inverse", Reciprocal(), inputs: ["input"])
        try builder.add("fc", Linear(bias: false), inputs: ["inverse"], parameters: ["weight": Tensor(shape: [1, 2], scalars: [1, 2])])
        let model = ExplainedModel(graph: try builder.build(output: "fc"),
                                   description: ModelDescription(inputKind: .image, defaultLayer: "inverse",
                                                                 task: .classification(classes: 1)))
        #expect(throws: STError.unsupported(op: "LRP through Reciprocal (node 'inverse')")) {
            try explain(Tensor(shape: [1, 2], scalars: [1, 2]), model: model, method: .lrp)
        }
    }

    @Test func productWithoutAGateIsUnsupported() throws {
        var builder = GraphBuilder(shape: [1, 2])
        try builder.add("square", Multiply(), inputs: ["input", "input"])
        try builder.add("fc", Linear(bias: false), inputs: ["square"], parameters: ["weight": Tensor(shape: [1, 2], scalars: [1, 2])])
        let model = ExplainedModel(graph: try builder.build(output: "fc"),
                                   description: ModelDescription(inputKind: .image, defaultLayer: "square",
                                                                 task: .classification(classes: 1)))
        #expect(throws: STError.unsupported(
            op: "LRP through Mul (node 'square') of two operands neither of which is a gate (softmax, sigmoid, hard sigmoid or reciprocal)")) {
            try explain(Tensor(shape: [1, 2], scalars: [1, 2]), model: model, method: .lrp)
        }
    }
}

/// LRP end to end through the CNN-LSTMs: Σ R_input against the target logit y. Biases absorb
/// relevance (the LSTM's b_g in every step, fc's bias of the class), so exact conservation is
/// checked with them set to zero, and near conservation on the trained demo model with them.
@Suite struct CNNLSTMRelevanceTests {
    /// Σ R_input and the score y of each sample.
    func totalsAndScores(_ model: ExplainedModel, input: Tensor, composite: String) throws -> [(total: Float, score: Float)] {
        try totalsAndScores(model, input: input, composite: try LRPComposite.named(composite))
    }

    func totalsAndScores(_ model: ExplainedModel, input: Tensor, composite: LRPComposite) throws -> [(total: Float, score: Float)] {
        let explanation = try explain(input, model: model, explainer: LRPExplainer(composite: composite))
        #expect(explanation.attribution.shape == input.shape)
        let relevance = explanation.attribution.scalars
        #expect(relevance.allSatisfy { $0.isFinite })
        let perSample = relevance.count / input.shape[0]
        return explanation.scores.indices.map { n in
            (relevance[(n * perSample)..<((n + 1) * perSample)].reduce(0, +), explanation.scores[n])
        }
    }

    /// The graph with the parameters under `keys` set to zero.
    func zeroed(_ graph: Graph, _ keys: [String]) -> Graph {
        var graph = graph
        for key in keys { graph.parameters[key] = Tensor(zeros: graph.parameters[key]!.shape) }
        return graph
    }

    @Test(arguments: ["cnn_lstm", "cnn_lstm_attention"])
    func randomSmallModelsConserveWithoutBiases(architecture: String) throws {
        // The plain backbone's batch norms are the identity at initialisation, so with the LSTM's,
        // attention's and fc's biases zeroed nothing but ε absorbs relevance.
        let spec = try ModelSpec(architecture: architecture, classes: 4, widthMultiplier: 0.5,
                                 inputShape: [1, 3, 4, 16, 16], backbone: "plain")
        let architecture = try spec.makeArchitecture()
        let graph = try architecture.graph(seed: 3)
        let biasFree = zeroed(graph, graph.parameters.keys.filter { $0.hasSuffix("bias") || $0.contains(".bias_") })
        let input = Tensor.randomNormal(shape: [2, 3, 4, 16, 16], seed: 7)
        for composite in ["epsilon", "epsilon-plus"] {
            let withBiases = try totalsAndScores(ExplainedModel(graph: graph, description: architecture.modelDescription),
                                                 input: input, composite: composite)
            let withoutBiases = try totalsAndScores(ExplainedModel(graph: biasFree, description: architecture.modelDescription),
                                                    input: input, composite: composite)
            for (n, ((biased, biasedScore), (total, score))) in zip(withBiases, withoutBiases).enumerated() {
                print("\(architecture) random, \(composite), sample \(n): with biases Σ R = \(biased), y = \(biasedScore); "
                      + "without Σ R = \(total), y = \(score) (ratio \(total / score))")
                #expect(abs(total - score) <= 1e-3 * abs(score))
            }
        }
    }

    @Test func trainedAttentionDemoModelNearlyConserves() throws {
        // epsilon-plus with Montavon's z⁺, which leaves the folded batch-norm biases out of the
        // convolutions' denominators, so only the LSTM's and fc's biases (and ε) absorb relevance.
        // (zennit's z⁺ in `.epsilonPlus` keeps b⁺ there, which absorbs some more: within 3 %.)
        let model = try DemoModels.load("cnn_lstm_attention_small")
        let input = Tensor.randomNormal(shape: [1, 3, 16, 32, 32], seed: 8)
        let biasFreeZPlus = LRPComposite(name: "epsilon-plus, bias-free z⁺", convolution: ZPlusRule(), linear: EpsilonRule())
        let (total, score) = try totalsAndScores(model, input: input, composite: "epsilon-plus")[0]
        var biasFree = model
        biasFree.graph = zeroed(model.graph, ["lstm.bias_ih_l0", "lstm.bias_hh_l0", "fc.bias"])
        let (biasFreeTotal, biasFreeScore) = try totalsAndScores(biasFree, input: input, composite: biasFreeZPlus)[0]
        print("cnn_lstm_attention_small, epsilon-plus: Σ R = \(total), y = \(score) (ratio \(total / score)); "
              + "LSTM and fc biases zeroed: Σ R = \(biasFreeTotal), y = \(biasFreeScore)")
        #expect(abs(total - score) <= 0.03 * abs(score))
        #expect(abs(biasFreeTotal - biasFreeScore) <= 1e-3 * abs(biasFreeScore))
    }
}
