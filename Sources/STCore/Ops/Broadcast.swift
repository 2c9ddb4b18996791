/// NumPy broadcasting of two shapes, and the reduction that undoes it in the backward pass.
enum Broadcast {
    /// The broadcast shape, aligning trailing axes; nil when the shapes are incompatible.
    static func shape(_ a: [Int], _ b: [Int]) -> [Int]? {
        let rank = max(a.count, b.count)
        let a = padded(a, to: rank), b = padded(b, to: rank)
        var result: [Int] = []
        for (x, y) in zip(a, b) {
            guard x == y || x == 1 || y == 1 else { return nil }
            result.append(max(x, y))
        }
        return result
    }

    /// `shape` with leading 1s up to `rank`.
    static func padded(_ shape: [Int], to rank: Int) -> [Int] {
        Array(repeating: 1, count: rank - shape.count) + shape
    }

    /// `x` expanded to `shape` (equal or lower rank, size-1 axes repeated).
    static func expand(_ x: Tensor, to shape: [Int]) throws -> Tensor {
        let aligned = x.reshaped(padded(x.shape, to: shape.count))
        if aligned.shape == shape { return aligned }
        return try DNNL.binary(Tensor(zeros: shape), aligned, .add)
    }

    /// Sums `gradient` over the axes along which `shape` was broadcast, then views it as `shape`.
    static func reduce(_ gradient: Tensor, to shape: [Int]) throws -> Tensor {
        if gradient.shape == shape { return gradient }
        let aligned = padded(shape, to: gradient.rank)
        return try DNNL.reduce(gradient, to: aligned, mean: false).reshaped(shape)
    }

    /// `a ∘ b` with NumPy broadcasting, for a commutative operation. When both operands are
    /// broadcast, the rank exceeds oneDNN's plain tags (6), or plain operands differ in shape,
    /// the shapes are first coalesced — neighbouring axes that both operands broadcast alike merge
    /// into one — so oneDNN's jit kernel recognises the broadcast instead of running its reference
    /// kernel (MViT's rank-8 outer sums of relative positions; Swin's window mask, N × W × 1 × L × L
    /// onto N × W × heads × L × L, becomes the jit's per-batch-spatial form).
    static func apply(_ a: Tensor, _ b: Tensor, _ operation: DNNL.BinaryOperation) throws -> Tensor {
        guard let shape = shape(a.shape, b.shape) else {
            throw ShapeCheck.fail("cannot broadcast \(a.shape) with \(b.shape)")
        }
        let bothPlain = a.format == .plain && b.format == .plain
        if (a.shape != shape && b.shape != shape) || shape.count > 6 || (bothPlain && a.shape != b.shape),
           let (aShape, bShape, merged) = coalesced(padded(a.shape, to: shape.count), padded(b.shape, to: shape.count), shape),
           merged.count < shape.count {
            return try apply(a.plain().reshaped(aShape), b.plain().reshaped(bShape), operation).reshaped(shape)
        }
        if a.shape == shape { return try DNNL.binary(a, aligned(b, rank: shape.count), operation) }
        if b.shape == shape { return try DNNL.binary(b, aligned(a, rank: shape.count), operation) }
        return try DNNL.binary(try expand(a, to: shape), aligned(b, rank: shape.count), operation)
    }

    /// Equal-rank operand shapes and their broadcast `shape` with size-1 output axes dropped and
    /// runs of axes merged where each operand is either full along all of them or 1 along all.
    private static func coalesced(_ a: [Int], _ b: [Int], _ shape: [Int]) -> ([Int], [Int], [Int])? {
        var (mergedA, mergedB, merged) = ([Int](), [Int](), [Int]())
        var previous: (Bool, Bool)?
        for axis in shape.indices where shape[axis] != 1 {
            let pattern = (a[axis] == shape[axis], b[axis] == shape[axis])
            if let previous, previous == pattern {
                merged[merged.count - 1] *= shape[axis]
                mergedA[mergedA.count - 1] *= a[axis]
                mergedB[mergedB.count - 1] *= b[axis]
            } else {
                merged.append(shape[axis])
                mergedA.append(a[axis])
                mergedB.append(b[axis])
            }
            previous = pattern
        }
        guard !merged.isEmpty else { return nil }
        return (mergedA, mergedB, merged)
    }

    /// `x` with leading size-1 axes up to `rank` (unchanged, layout kept, when already that rank).
    private static func aligned(_ x: Tensor, rank: Int) -> Tensor {
        x.rank == rank ? x : x.reshaped(padded(x.shape, to: rank))
    }
}
