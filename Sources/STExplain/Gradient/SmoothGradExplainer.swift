import Foundation
import STCore

/// SmoothGrad (Smilkov et al. 2017) on saliency, as Captum's `NoiseTunnel(Saliency)`:
/// (1/n)·Σ_j |∂f(x + ε_j)/∂x| with ε_j ~ N(0, σ²), σ = `noiseLevel`·(max x − min x) per sample and
/// n = `samples`; the noise is reproducible from `seed`. The N·n noisy copies run as `batching` says.
public struct SmoothGradExplainer: Explainer {
    /// Noisy copies per sample (Captum's `nt_samples`).
    public var samples: Int
    /// σ as a fraction of each sample's input range, max − min (Smilkov et al. recommend 10–20 %).
    public var noiseLevel: Float
    public var seed: UInt64
    public var batching: Batching
    public var method: Method { .smoothgrad }

    public init(samples: Int = 25, noiseLevel: Float = 0.15, seed: UInt64 = 0, batching: Batching = Batching()) {
        self.samples = samples
        self.noiseLevel = noiseLevel
        self.seed = seed
        self.batching = batching
    }

    public func explain(_ input: Tensor, model: ExplainedModel, target: Target) throws -> Explanation {
        let started = Date()
        let copies = samples
        guard copies >= 1 else { throw STError.invalidRequest("smoothgrad needs at least one noisy sample") }
        let trace = try model.forward(input, differentiable: false)
        let resolved = try target.resolve(in: trace, model: model)
        let evaluation = BatchedEvaluation(model: model, target: resolved, inputShape: input.shape, batching: batching)
        let size = evaluation.rowSize
        let x = input.plain().scalars
        let sigmas = (0..<input.shape[0]).map { n -> Float in
            let sample = x[(n * size)..<((n + 1) * size)]
            return noiseLevel * ((sample.max() ?? 0) - (sample.min() ?? 0))
        }
        var sum = [Float](repeating: 0, count: x.count)
        try evaluation.run(count: input.shape[0] * copies, sample: { $0 / copies }, gradients: true, fill: { row, buffer in
            let sample = row / copies
            let noise = Tensor.randomNormal(shape: [size], std: sigmas[sample], seed: seed &+ UInt64(row)).scalars
            for i in 0..<size { buffer[i] = x[sample * size + i] + noise[i] }
        }, use: { row, _, gradient in
            let sample = row / copies
            for i in 0..<size { sum[sample * size + i] += abs(gradient![i]) }
        })
        let attribution = Tensor(shape: input.shape, scalars: sum.map { $0 / Float(copies) })
        return try Explanation(method: method, layer: nil,
                               map: ChannelReduction.maxAbsolute.reduce(attribution, kind: model.inputKind),
                               attribution: attribution, target: resolved, trace: trace, model: model,
                               started: started)
    }
}
