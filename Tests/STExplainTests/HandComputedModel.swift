import STCore
@testable import STExplain

/// The tiny classifier every hand-computed test explains:
///
///     features = ReLU(x)          x: 1 × 2 channels × 1 × 2 positions
///     y = W · mean_p(features) + b,   W = [[1, −1], [0.5, 2]],  b = 0
///
/// With x = (channel 0: [1, 3], channel 1: [2, 0]) the features equal x, the channel means are
/// (2, 1), so y = (1·2 − 1·1, 0.5·2 + 2·1) = (1, 3): class 1 wins. After pooling over P = 2
/// positions, ∂y_c/∂features_kp = W_ck / 2.
enum HandComputedModel {
    static let input = Tensor(shape: [1, 2, 1, 2], scalars: [1, 3, 2, 0])

    static func model() throws -> ExplainedModel {
        var builder = GraphBuilder(shape: [1, 2, 1, 2])
        try builder.add("features", ReLU(), inputs: ["input"])
        try builder.add("pool", AdaptiveAveragePool.global(spatialRank: 2), inputs: ["features"])
        try builder.add("flatten", Flatten(startDim: 1), inputs: ["pool"])
        try builder.add("fc", Linear(), inputs: ["flatten"],
                        parameters: ["weight": Tensor(shape: [2, 2], scalars: [1, -1, 0.5, 2]),
                                     "bias": Tensor(zeros: [2])])
        let graph = try builder.build(output: "fc")
        return ExplainedModel(graph: graph,
                              description: ModelDescription(inputKind: .image, defaultLayer: "features",
                                                            task: .classification(classes: 2)))
    }

    static func explain(_ method: Method, target: Target = .topClass) throws -> Explanation {
        try explain(method.explainer, target: target)
    }

    static func explain(_ explainer: any Explainer, target: Target = .topClass) throws -> Explanation {
        try STExplain.explain(input, model: try model(), explainer: explainer, target: target)
    }
}
