/// How `Evaluator` perturbs inputs and which metrics it computes.
public struct EvaluationSettings: Sendable {
    public var metrics: [Metric]
    /// Masked fractions mᵢ of the masking metric (seed 000: 10, 50, 90 %).
    public var fractions = MaskingFaithfulness.defaultFractions
    /// What masked, deleted and not yet inserted positions hold.
    public var baseline = BaselinePreset.zero
    /// The positions masking, deletion and insertion act on (nil: the input kind's default).
    public var unit: PerturbationUnit?
    /// Stages K of the deletion and insertion curves (K + 1 points).
    public var steps = 16
    /// Pointing-game tolerance in pixels (or joints) along the map's last two axes.
    public var pointingTolerance = 0
    /// k of the top-k intersection (nil: the mean mask size of the batch, at least 1).
    public var topK: Int?
    /// Inputs per forward pass when scoring perturbed copies.
    public var batchSize = 32
    /// How layers are randomised for the sanity check.
    public var randomisation = ParameterRandomisation.Mode.cascading
    /// Samples the (costly) randomisation check and max-sensitivity look at, the first ones seen.
    public var sanitySamples = 8
    /// Max-sensitivity: noise radius in the input's units, and draws.
    public var sensitivityRadius: Float = 0.1
    public var sensitivityDraws = 5
    /// Seed of the randomised weights and the sensitivity noise.
    public var seed: UInt64 = 0

    public init(metrics: [Metric] = Metric.allCases) {
        self.metrics = metrics
    }
}
