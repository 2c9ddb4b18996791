import Foundation
import STCore

/// Integrated gradients (Sundararajan et al. 2017):
///
///     IG_i(x) = (x_i − x′_i) · ∫₀¹ ∂f(x′ + α(x − x′))/∂x_i dα  ≈  (x_i − x′_i) · Σ_s w_s·∂f(x′ + α_s(x − x′))/∂x_i
///
/// with a constant baseline x′ (`baseline`, 0 by default) and `steps` points of `integration`
/// (Gauss–Legendre, 50 points: Captum's defaults). Completeness: Σ_i IG_i ≈ f(x) − f(x′); what is
/// left, Σ_i IG_i − (f(x) − f(x′)), is the explanation's `convergenceDelta` (Captum's
/// `return_convergence_delta`). The N·steps scaled inputs run as `batching` says.
public struct IntegratedGradientsExplainer: Explainer {
    /// Points on the path (Captum's `n_steps`).
    public var steps: Int
    /// The quadrature of the path integral (Captum's `method`).
    public var integration: PathIntegration
    /// The baseline value x′ of every element, in the input's own units.
    public var baseline: Float
    public var batching: Batching
    public var method: Method { .integratedGradients }

    public init(steps: Int = 50, integration: PathIntegration = .gaussLegendre, baseline: Float = 0,
                batching: Batching = Batching()) {
        self.steps = steps
        self.integration = integration
        self.baseline = baseline
        self.batching = batching
    }

    public func explain(_ input: Tensor, model: ExplainedModel, target: Target) throws -> Explanation {
        let started = Date()
        guard steps >= 1 else { throw STError.invalidRequest("integrated gradients needs at least one step") }
        let trace = try model.forward(input, differentiable: false)
        let resolved = try target.resolve(in: trace, model: model)
        let (alphas, weights) = integration.nodes(count: steps)
        let evaluation = BatchedEvaluation(model: model, target: resolved, inputShape: input.shape, batching: batching)
        let (size, samples, steps, baseline) = (evaluation.rowSize, input.shape[0], steps, baseline)
        let x = input.plain().scalars
        var integral = [Float](repeating: 0, count: x.count)
        try evaluation.run(count: samples * steps, sample: { $0 / steps }, gradients: true, fill: { row, buffer in
            let (sample, alpha) = (row / steps, Float(alphas[row % steps]))
            for i in 0..<size { buffer[i] = baseline + alpha * (x[sample * size + i] - baseline) }
        }, use: { row, _, gradient in
            let (sample, weight) = (row / steps, Float(weights[row % steps]))
            for i in 0..<size { integral[sample * size + i] += weight * gradient![i] }
        })
        let attribution = Tensor(shape: input.shape, scalars: (0..<x.count).map { (x[$0] - baseline) * integral[$0] })
        let objective = try resolved.objective(Array(0..<samples))
        let atInput = try objective.values(try trace.activation(objective.node ?? model.graph.output))
        var atBaseline = [Float](repeating: 0, count: samples)
        try BatchedEvaluation(model: model, target: resolved, inputShape: input.shape, batching: Batching(size: batching.size))
            .run(count: samples, sample: { $0 }, gradients: false, fill: { _, buffer in
                for i in 0..<size { buffer[i] = baseline }
            }, use: { row, value, _ in atBaseline[row] = value })
        let values = attribution.scalars
        let delta = (0..<samples).map { n in
            Float(values[(n * size)..<((n + 1) * size)].reduce(0.0) { $0 + Double($1) } - Double(atInput[n] - atBaseline[n]))
        }
        return try Explanation(method: method, layer: nil, map: ChannelReduction.sum.reduce(attribution, kind: model.inputKind),
                               attribution: attribution, target: resolved, trace: trace, model: model, started: started,
                               convergenceDelta: delta)
    }
}
