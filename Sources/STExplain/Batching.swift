/// How a method that evaluates many perturbed or scaled copies of its input runs them (Captum's
/// `internal_batch_size` / `perturbations_per_eval`): `size` copies per forward pass, and
/// `progress` called with (done, total) copies as the batches finish.
public struct Batching: Sendable {
    /// Copies per forward pass (at least 1).
    public var size: Int
    public var progress: (@Sendable (Int, Int) -> Void)?

    public init(size: Int = 16, progress: (@Sendable (Int, Int) -> Void)? = nil) {
        self.size = max(1, size)
        self.progress = progress
    }
}
