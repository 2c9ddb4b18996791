import Testing
import STCore
import STExplain
import TestSupport
@testable import STMetrics

@Suite struct PerturbationTests {
    /// One clip, two channels, three frames of one pixel: channel 0 = (1, 2, 6) → mean 3,
    /// channel 1 = (0, 0, 3) → mean 1, repeated over the frames.
    @Test func meanBaselineRepeatsEachSeriesMeanOverTime() throws {
        let clip = Tensor(shape: [1, 2, 3, 1, 1], scalars: [1, 2, 6, 0, 0, 3])
        let baseline = try BaselinePreset.mean.baseline(for: clip, kind: .video)
        #expect(baseline == .tensor(Tensor(shape: [1, 2, 3, 1, 1], scalars: [3, 3, 3, 1, 1, 1])))
    }

    /// The freeze baseline repeats frame 0 of each channel: (1, 2, 6) → (1, 1, 1), (0, 0, 3) → (0, 0, 0).
    @Test func freezeBaselineRepeatsTheFirstFrame() throws {
        let clip = Tensor(shape: [1, 2, 3, 1, 1], scalars: [1, 2, 6, 0, 0, 3])
        let baseline = try BaselinePreset.freeze.baseline(for: clip, kind: .video)
        #expect(baseline == .tensor(Tensor(shape: [1, 2, 3, 1, 1], scalars: [1, 1, 1, 0, 0, 0])))
    }

    /// A 16 × 16 frame blurs with r = 1 (3 × 3 box): a constant frame stays constant, and a single
    /// 9 at the centre spreads to 9/9 = 1 on its 3 × 3 neighbourhood.
    @Test func blurBaselineAveragesAThreeByThreeBox() throws {
        var values = [Float](repeating: 0, count: 256)
        values[8 * 16 + 8] = 9
        guard case .tensor(let blurred) = try BaselinePreset.blur.baseline(for: Tensor(shape: [1, 1, 16, 16], scalars: values), kind: .image) else {
            Issue.record("blur gives a tensor")
            return
        }
        #expect(blurred[0, 0, 7, 7] == 1 && blurred[0, 0, 9, 9] == 1 && blurred[0, 0, 8, 10] == 0)
        #expect(blurred.scalars.reduce(0, +) == 9)
        expectError(.invalidRequest, mentioning: "'blur' baseline blurs frames") {
            try BaselinePreset.blur.baseline(for: Tensor(zeros: [1, 3, 4, 25, 2]), kind: .skeleton)
        }
    }

    /// Frame scores sum each frame; joint scores average the valid frames: the skeleton's last
    /// frame is all zeros (padding), so joint v scores the mean over frames 0 and 1 only.
    @Test func unitScoresReduceMapsToTheirPositions() throws {
        let maps = Tensor(shape: [1, 2, 1, 2], scalars: [1, 2, 3, 4])
        #expect(PerturbationUnit.frame.scores(from: maps, input: Tensor(zeros: [1, 3, 2, 1, 2])).scalars == [3, 7])
        var skeleton = Tensor(zeros: [1, 1, 3, 2, 1])
        skeleton.withUnsafeMutableBufferPointer { $0[0] = 1; $0[2] = 1 }
        let jointMaps = Tensor(shape: [1, 3, 2], scalars: [2, 4, 6, 8, 100, 100])
        #expect(PerturbationUnit.joint.scores(from: jointMaps, input: skeleton).scalars == [4, 6])
        #expect(try PerturbationUnit.joint.axes(for: .skeleton) == [3])
        expectError(.invalidRequest, mentioning: "'joint' positions do not exist for video inputs") {
            try PerturbationUnit.joint.axes(for: .video)
        }
    }

    /// Logits (2, 1) and (0, 3): classes 0 and 1; softmax of class 0 in row 0 = e²/(e² + e) = 0.7311.
    @Test func modelOutputsGivePredictionsAndProbabilities() throws {
        var builder = GraphBuilder(shape: [1, 2])
        try builder.add("fc", Linear(), inputs: ["input"],
                        parameters: ["weight": Tensor(shape: [2, 2], scalars: [1, 0, 0, 1]), "bias": Tensor(zeros: [2])])
        let model = ExplainedModel(graph: try builder.build(output: "fc"),
                                   description: ModelDescription(inputKind: .image, defaultLayer: "fc",
                                                                 task: .classification(classes: 2)))
        let outputs = try ModelOutputs(model: model, inputs: Tensor(shape: [2, 2], scalars: [2, 1, 0, 3]), batchSize: 1)
        #expect(outputs.predictedClasses == [0, 1])
        #expect(abs(outputs.probabilities(of: [0, 1])[0] - 0.7311) < 1e-4)
        #expect(outputs.correctCount(labels: [0, 0]) == 1)
    }

    /// Two weighted layers, fc2 nearest the output: cascading randomises [fc2] then [fc2, fc1];
    /// independent [fc2] then [fc1]. Redrawn weights keep their shape, scale-matched to the trained
    /// σ (here 1 for ±1 weights), the same seed gives the same draws, and a zero bias stays zero.
    @Test func parameterRandomisationGoesTopDown() throws {
        var builder = GraphBuilder(shape: [1, 4])
        let signs = Tensor(shape: [4, 4], scalars: (0..<16).map { $0 % 2 == 0 ? 1 : -1 })
        try builder.add("fc1", Linear(), inputs: ["input"], parameters: ["weight": signs, "bias": Tensor(zeros: [4])])
        try builder.add("relu", ReLU(), inputs: ["fc1"])
        try builder.add("fc2", Linear(), inputs: ["relu"], parameters: ["weight": signs, "bias": Tensor(zeros: [4])])
        let graph = try builder.build(output: "fc2")
        let layers = ParameterRandomisation.layers(of: graph)
        #expect(layers == ["fc2", "fc1"])
        #expect(ParameterRandomisation.steps(.cascading, layers: layers) == [["fc2"], ["fc2", "fc1"]])
        #expect(ParameterRandomisation.steps(.independent, layers: layers) == [["fc2"], ["fc1"]])
        let randomised = try ParameterRandomisation.randomised(graph, layers: ["fc2"], seed: 7)
        let weight = try #require(randomised.parameters["fc2.weight"])
        #expect(weight.shape == [4, 4] && weight != signs)
        #expect(randomised.parameters["fc1.weight"] == signs)
        #expect(randomised.parameters["fc2.bias"] == Tensor(zeros: [4]))
        #expect(try ParameterRandomisation.randomised(graph, layers: ["fc2"], seed: 7).parameters["fc2.weight"] == weight)
        #expect(ParameterRandomisation.standardDeviation(signs.scalars) == 1)
    }
}
