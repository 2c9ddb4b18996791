import Foundation

/// How the learning rate moves over a training run: a factor on the optimiser's base rate η at
/// each step.
public enum LearningRateSchedule: Sendable, Codable, Equatable {
    /// η at every step.
    case constant
    /// Linear warm-up over the first `warmupEpochs` epochs, then cosine decay towards 0 at the end
    /// (Loshchilov & Hutter, "SGDR", ICLR 2017; the schedule of the ViT and TimeSformer recipes).
    /// With s the 0-based step, S the steps of the run and W = min(warmup epochs' steps, S − 1):
    ///
    ///     s < W:  η_s = η · (s + 1)/W
    ///     s ≥ W:  η_s = η · ½(1 + cos(π·(s − W)/(S − W)))
    case warmupCosine(warmupEpochs: Int)

    /// The factor η_s/η at step `step` (0-based) of `totalSteps`, `stepsPerEpoch` to an epoch.
    public func factor(step: Int, totalSteps: Int, stepsPerEpoch: Int) -> Float {
        switch self {
        case .constant:
            return 1
        case .warmupCosine(let warmupEpochs):
            let warmup = min(warmupEpochs * stepsPerEpoch, totalSteps - 1)
            if step < warmup { return Float(step + 1) / Float(warmup) }
            let progress = Double(step - warmup) / Double(totalSteps - warmup)
            return Float(0.5 * (1 + cos(Double.pi * progress)))
        }
    }
}
