import Testing
import TestSupport
@testable import STCore

/// Optimiser steps against updates worked out by hand from PyTorch's `torch.optim.SGD` and
/// `torch.optim.Adam` formulas, on the 2-element weight θ = [1, −2] of a batch norm layer.
@Suite struct OptimizerTests {
    /// A one-node graph whose `bn.weight` is θ = [1, −2] (and `bn.bias` = [3, 4]).
    func graph() throws -> Graph {
        var builder = GraphBuilder(shape: [2, 2])
        let node = try builder.add("bn", BatchNorm(), inputs: ["input"],
                                   parameters: ["weight": Tensor(shape: [2], scalars: [1, -2]),
                                                "bias": Tensor(shape: [2], scalars: [3, 4])],
                                   buffers: ["running_mean": Tensor(zeros: [2]),
                                             "running_var": Tensor(repeating: 1, shape: [2])])
        return try builder.build(output: node)
    }

    /// Runs `optimizer` over the given gradients of `bn.weight`, one step each; returns θ after each.
    func weights(after gradients: [[Float]], _ optimizer: some Optimizer) throws -> [[Float]] {
        var optimizer = optimizer
        var graph = try graph()
        return gradients.map { gradient in
            optimizer.step(&graph, gradients: ["bn.weight": Tensor(shape: [2], scalars: gradient)])
            return graph.parameters["bn.weight"]!.scalars
        }
    }

    @Test func plainSGDSubtractsTheScaledGradient() throws {
        // θ ← θ − η∇ with η = 0.1, ∇ = [0.5, 1]: [1 − 0.05, −2 − 0.1] = [0.95, −2.1].
        expectClose(try weights(after: [[0.5, 1]], SGD(learningRate: 0.1)), [[0.95, -2.1]], .normwise(1e-6))
    }

    @Test func sgdMomentumStartsFromTheFirstGradientThenAccumulates() throws {
        // μ = 0.9, η = 0.1, ∇ = [0.5, 1] twice.
        // Step 1: v = ∇ = [0.5, 1];                       θ = [1 − 0.05, −2 − 0.1]     = [0.95, −2.1].
        // Step 2: v = 0.9·[0.5, 1] + [0.5, 1] = [0.95, 1.9]; θ = [0.95 − 0.095, −2.1 − 0.19] = [0.855, −2.29].
        expectClose(try weights(after: [[0.5, 1], [0.5, 1]], SGD(learningRate: 0.1, momentum: 0.9)),
                    [[0.95, -2.1], [0.855, -2.29]], .normwise(1e-6))
    }

    @Test func sgdWeightDecayIsAddedToTheGradientBeforeMomentum() throws {
        // λ = 0.1, μ = 0.9, η = 0.1, ∇ = [0.5, 1] twice.
        // Step 1: g = ∇ + λθ = [0.5 + 0.1, 1 − 0.2] = [0.6, 0.8]; v = g; θ = [1 − 0.06, −2 − 0.08] = [0.94, −2.08].
        // Step 2: g = [0.5 + 0.094, 1 − 0.208] = [0.594, 0.792];
        //         v = 0.9·[0.6, 0.8] + g = [1.134, 1.512]; θ = [0.94 − 0.1134, −2.08 − 0.1512] = [0.8266, −2.2312].
        expectClose(try weights(after: [[0.5, 1], [0.5, 1]], SGD(learningRate: 0.1, momentum: 0.9, weightDecay: 0.1)),
                    [[0.94, -2.08], [0.8266, -2.2312]], .normwise(1e-6))
    }

    @Test func sgdNesterovStepsAlongTheGradientPlusMomentum() throws {
        // μ = 0.9, η = 0.1, ∇ = [0.5, 1] twice; the step is d = g + μv.
        // Step 1: v = [0.5, 1];    d = [0.95, 1.9];  θ = [1 − 0.095, −2 − 0.19]      = [0.905, −2.19].
        // Step 2: v = [0.95, 1.9]; d = [0.5 + 0.855, 1 + 1.71] = [1.355, 2.71];
        //         θ = [0.905 − 0.1355, −2.19 − 0.271] = [0.7695, −2.461].
        expectClose(try weights(after: [[0.5, 1], [0.5, 1]], SGD(learningRate: 0.1, momentum: 0.9, nesterov: true)),
                    [[0.905, -2.19], [0.7695, -2.461]], .normwise(1e-6))
    }

    @Test func adamFirstStepMovesEachWeightByTheLearningRateThenFollowsTheMoments() throws {
        // η = 0.1, β₁ = 0.9, β₂ = 0.999, ε = 1e-8; ∇₁ = [0.5, 1], ∇₂ = [−0.5, 2].
        // Step 1: m = 0.1·∇₁ = [0.05, 0.1], v = 0.001·∇₁² = [0.00025, 0.001]; m̂ = m/0.1 = ∇₁, v̂ = v/0.001 = ∇₁²,
        //         so θ moves by η·∇/(|∇| + ε) ≈ η: θ = [0.9, −2.1].
        // Step 2: m = 0.9·m + 0.1·∇₂ = [−0.005, 0.29]; v = 0.999·v + 0.001·∇₂² = [0.00049975, 0.004999];
        //         m̂ = m/(1 − 0.81) = [−0.0263158, 1.5263158]; v̂ = v/(1 − 0.998001) = [0.25, 2.5007504];
        //         η·m̂/(√v̂ + ε) = [−0.0052632, 0.0965182]; θ = [0.9052632, −2.1965182].
        expectClose(try weights(after: [[0.5, 1], [-0.5, 2]], Adam(learningRate: 0.1)),
                    [[0.9, -2.1], [0.9052632, -2.1965182]], .normwise(1e-6))
    }

    @Test func adamWeightDecayIsAddedToTheGradient() throws {
        // λ = 0.1, η = 0.1, ∇ = [−0.05, 1]. Step 1: g = ∇ + λθ = [−0.05 + 0.1, 1 − 0.2] = [0.05, 0.8]: the
        // decay flips the first element's sign, so θ moves by −η·sign(g): θ = [0.9, −2.1] (without
        // decay the first element would rise to 1.1).
        // Step 2: g = [−0.05 + 0.09, 1 − 0.21] = [0.04, 0.79]; m = 0.9·[0.005, 0.08] + 0.1·g = [0.0085, 0.151];
        //         v = 0.999·[2.5e−6, 0.00064] + 0.001·g² = [4.0975e−6, 0.00126346];
        //         m̂ = m/0.19 = [0.0447368, 0.7947368]; v̂ = v/0.001999 = [0.00204977, 0.63204602];
        //         η·m̂/(√v̂ + ε) = [0.0988126, 0.0999652]; θ = [0.8011874, −2.1999652].
        expectClose(try weights(after: [[-0.05, 1], [-0.05, 1]], Adam(learningRate: 0.1, weightDecay: 0.1)),
                    [[0.9, -2.1], [0.8011874, -2.1999652]], .normwise(1e-6))
    }

    @Test func parametersWithoutAGradientAreLeftUnchanged() throws {
        var graph = try graph()
        var sgd = SGD(learningRate: 0.1, momentum: 0.9)
        var adam = Adam(learningRate: 0.1)
        sgd.step(&graph, gradients: ["bn.weight": Tensor(shape: [2], scalars: [0.5, 1])])
        adam.step(&graph, gradients: ["bn.weight": Tensor(shape: [2], scalars: [0.5, 1])])
        #expect(graph.parameters["bn.bias"]!.scalars == [3, 4])
        #expect(graph.parameters["bn.weight"]!.scalars != [1, -2])
    }

    @Test func optimizerStateIsKeptPerParameter() throws {
        // Momentum of `bn.weight` must not leak into `bn.bias`: the bias's first step is plain,
        // v = ∇ = [1, 1], θ = [3 − 0.1, 4 − 0.1], even after two momentum steps of the weight.
        var graph = try graph()
        var sgd = SGD(learningRate: 0.1, momentum: 0.9)
        for _ in 0..<2 { sgd.step(&graph, gradients: ["bn.weight": Tensor(shape: [2], scalars: [0.5, 1])]) }
        sgd.step(&graph, gradients: ["bn.bias": Tensor(shape: [2], scalars: [1, 1])])
        expectClose(graph.parameters["bn.bias"]!, Tensor(shape: [2], scalars: [2.9, 3.9]),
                    .normwise(1e-6))
        expectClose(graph.parameters["bn.weight"]!, Tensor(shape: [2], scalars: [0.855, -2.29]),
                    .normwise(1e-6))
    }
}
