/// Quadrature for integrated gradients' path integral ∫₀¹ ∂f(x′ + α(x − x′))/∂x dα.
public enum PathIntegration: String, Sendable, CaseIterable {
    /// Gauss–Legendre nodes and weights on [0, 1] (Captum's default).
    case gaussLegendre = "gausslegendre"
    /// Trapezoid rule on evenly spaced points including both ends.
    case riemannTrapezoid = "riemann_trapezoid"
    /// Midpoints of evenly spaced intervals.
    case riemannMiddle = "riemann_middle"
}
