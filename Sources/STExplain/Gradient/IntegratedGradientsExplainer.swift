import Foundation
import STCore

/// Integrated gradients (Sundararajan et al. 2017):
///
///     IG_i(x) = (x_i − x′_i) · ∫₀¹ ∂f(x′ + α(x − x′))/∂x_i dα  ≈  (x_i − x′_i) · Σ_s w_s·∂f(x′ + α_s(x − x′))/∂x_i
///
/// with a constant baseline x′ (`options.baseline`, 0 by default) and `options.steps` points of
/// `options.integration` (Gauss–Legendre, 50 points: Captum's defaults). Completeness:
/// Σ_i IG_i ≈ f(x) − f(x′). The N·steps scaled inputs run in batches of `options.batchSize`.
struct IntegratedGradientsExplainer: Explainer {
    var method: Method { .integratedGradients }

    func explain(_ input: Tensor, model: ExplainedModel, target: Target, options: ExplainOptions) throws -> Explanation {
        let started = Date()
        guard options.steps >= 1 else { throw STError.invalidRequest("integrated gradients needs at least one step") }
        let trace = try model.forward(input, differentiable: false)
        let resolved = try target.resolve(in: trace, model: model)
        let (alphas, weights) = options.integration.nodes(count: options.steps)
        let evaluation = BatchedEvaluation(model: model, target: resolved, inputShape: input.shape, options: options)
        let size = evaluation.rowSize
        let x = input.plain().scalars
        let baseline = options.baseline
        var integral = [Float](repeating: 0, count: x.count)
        try evaluation.run(count: input.shape[0] * options.steps, sample: { $0 / options.steps }, gradients: true,
                           fill: { row, buffer in
            let (sample, alpha) = (row / options.steps, Float(alphas[row % options.steps]))
            for i in 0..<size { buffer[i] = baseline + alpha * (x[sample * size + i] - baseline) }
        }, use: { row, _, gradient in
            let (sample, weight) = (row / options.steps, Float(weights[row % options.steps]))
            for i in 0..<size { integral[sample * size + i] += weight * gradient![i] }
        })
        let attribution = Tensor(shape: input.shape, scalars: (0..<x.count).map { (x[$0] - baseline) * integral[$0] })
        return try Explanation(method: method, layer: nil, map: ChannelReduction.sum.reduce(attribution, kind: model.inputKind),
                               attribution: attribution, target: resolved, trace: trace, model: model,
                               options: options, started: started)
    }
}
