/// Settings of the methods that have any (defaults as Captum's and the papers' where they exist).
public struct ExplainOptions: Sendable {
    /// Layer for CAM-family methods and guided Grad-CAM (the model's default when nil).
    public var layer: String?
    /// How many classes the `topK` list holds.
    public var topK: Int = 5
    /// Baseline value for integrated gradients and occlusion (in the input's own units).
    public var baseline: Float = 0
    /// Integrated gradients: number of points on the path and the quadrature (Captum's defaults).
    public var steps: Int = 50
    public var integration: PathIntegration = .gaussLegendre
    /// SmoothGrad: number of noisy copies and the noise σ as a fraction of each sample's input
    /// range, max − min (Smilkov et al. recommend 10–20 %).
    public var noiseSamples: Int = 25
    public var noiseLevel: Float = 0.15
    /// Seed for SmoothGrad's noise.
    public var seed: UInt64 = 0
    /// Occlusion window and stride over the map axes — (T, H, W), (H, W) or (T, V) — covering all
    /// channels (and persons). nil: about an eighth of each spatial axis and a quarter of time;
    /// for skeletons one joint over all frames. The stride defaults to the window.
    public var occlusionWindow: [Int]?
    public var occlusionStride: [Int]?
    /// Occlusion of skeletons by joint sets instead of a window (e.g. body parts), each set
    /// masked over all frames.
    public var jointGroups: [[Int]]?
    /// LRP rules per layer kind (zennit's EpsilonPlus by default).
    public var composite: LRPComposite = .epsilonPlus
    /// LRP through average pooling: uniform R/N (seed 002) instead of in proportion to the inputs.
    public var averagePoolingUniform = false
    /// Inputs per forward pass for methods that evaluate many perturbed or scaled copies.
    public var batchSize: Int = 16
    /// Called with (done, total) as batched methods progress.
    public var progress: (@Sendable (Int, Int) -> Void)?

    /// Every setting at its default, with the CAM layer `layer` (the model's default when nil).
    public init(layer: String? = nil) {
        self.layer = layer
    }
}

/// Quadrature for integrated gradients' path integral ∫₀¹ ∂f(x′ + α(x − x′))/∂x dα.
public enum PathIntegration: String, Sendable, CaseIterable {
    /// Gauss–Legendre nodes and weights on [0, 1] (Captum's default).
    case gaussLegendre = "gausslegendre"
    /// Trapezoid rule on evenly spaced points including both ends.
    case riemannTrapezoid = "riemann_trapezoid"
    /// Midpoints of evenly spaced intervals.
    case riemannMiddle = "riemann_middle"
}
