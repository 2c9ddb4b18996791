import STCore

/// What masked input elements are replaced by: one value everywhere (0, or the dataset mean in
/// the input's own units), or a tensor of the input's shape (a blurred copy, a mean frame
/// repeated over time) whose element at the same index is used.
public enum MaskingBaseline: Sendable, Equatable {
    case constant(Float)
    case tensor(Tensor)
}
