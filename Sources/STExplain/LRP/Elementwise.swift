import Dispatch
import STCore

/// Element-wise helpers the rules use on plain tensors. Loops over large tensors run in
/// parallel chunks (one per core).
enum Elementwise {
    static func map(_ x: Tensor, _ transform: @escaping (Float) -> Float) -> Tensor {
        var result = x.plain()
        result.withUnsafeMutableBufferPointer { values in
            chunks(values.count) { range in
                for index in range { values[index] = transform(values[index]) }
            }
        }
        return result
    }

    /// The smallest and largest element (0, 0 when empty).
    static func range(_ x: Tensor) -> (min: Float, max: Float) {
        x.plain().withUnsafeBufferPointer { values in
            guard let first = values.first else { return (0, 0) }
            var (low, high) = (first, first)
            for value in values {
                low = min(low, value)
                high = max(high, value)
            }
            return (low, high)
        }
    }

    /// x split into x⁺ = max(x, 0) and x⁻ = min(x, 0), nil for a part that is all zero (x itself
    /// stands for x⁺ when x has no negative element, and for x⁻ when it has no positive one).
    static func signParts(_ x: Tensor) -> (positive: Tensor?, negative: Tensor?) {
        let (low, high) = range(x)
        switch (low < 0, high > 0) {
        case (false, false): return (nil, nil)
        case (false, true): return (x, nil)
        case (true, false): return (nil, x)
        case (true, true): return (map(x) { max($0, 0) }, map(x) { min($0, 0) })
        }
    }

    /// The parameters with `transform` applied to the weight and the bias replaced by `bias`
    /// (nil drops it to zero).
    static func parameters(_ parameters: [Tensor], roles: [String], weight transform: @escaping (Float) -> Float,
                           bias: ((Float) -> Float)?) -> [Tensor] {
        zip(roles, parameters).map { role, value in
            switch role {
            case "weight": map(value, transform)
            case "bias": map(value, bias ?? { _ in 0 })
            default: value
            }
        }
    }

    // Arithmetic of two tensors of one shape (relevance steps).

    static func add(_ a: Tensor, _ b: Tensor, scale: Float = 1) -> Tensor {
        combine(a, b) { $0 + scale * $1 }
    }

    static func multiply(_ a: Tensor, _ b: Tensor) -> Tensor {
        combine(a, b) { $0 * $1 }
    }

    /// R / (z + ε·sign z), sign 0 = +1.
    static func divide(_ r: Tensor, by z: Tensor, epsilon: Float) -> Tensor {
        combine(r, z) { r, z in r / stabilised(z, epsilon: epsilon) }
    }

    /// sum += scale · a ⊙ b, in place (one pass instead of a product and a sum).
    static func accumulateProduct(into sum: inout Tensor, _ a: Tensor, _ b: Tensor, scale: Float) {
        let (left, right) = (a.plain(), b.plain())
        sum = sum.plain()
        sum.withUnsafeMutableBufferPointer { values in
            left.withUnsafeBufferPointer { x in
                right.withUnsafeBufferPointer { y in
                    chunks(values.count) { range in
                        for index in range { values[index] += scale * x[index] * y[index] }
                    }
                }
            }
        }
    }

    /// The ε steps' denominator z + ε·sign z, sign 0 = +1.
    @inline(__always)
    static func stabilised(_ z: Float, epsilon: Float) -> Float {
        z + (z >= 0 ? epsilon : -epsilon)
    }

    @inline(__always)
    private static func combine(_ a: Tensor, _ b: Tensor, _ operation: @escaping (Float, Float) -> Float) -> Tensor {
        var result = a.plain()
        let other = b.plain()
        result.withUnsafeMutableBufferPointer { values in
            other.withUnsafeBufferPointer { operands in
                chunks(values.count) { range in
                    for index in range { values[index] = operation(values[index], operands[index]) }
                }
            }
        }
        return result
    }

    /// Runs `body` over `0..<count` in one chunk per core (one chunk for small counts).
    private static func chunks(_ count: Int, _ body: (Range<Int>) -> Void) {
        let parts = count < 1 << 16 ? 1 : parallelism
        guard parts > 1 else { return body(0..<count) }
        withoutActuallyEscaping(body) { body in
            let chunk = Chunk(body: body)
            DispatchQueue.concurrentPerform(iterations: parts) { part in
                chunk.body((part * count / parts)..<((part + 1) * count / parts))
            }
        }
    }

    /// A loop body that touches disjoint ranges of the buffers it captured, so its chunks may
    /// run at the same time.
    private struct Chunk: @unchecked Sendable {
        let body: (Range<Int>) -> Void
    }

    private static let parallelism = max(1, ComputeThreads.count)
}
