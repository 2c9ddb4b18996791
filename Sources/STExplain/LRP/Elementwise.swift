import Dispatch
import STCore

/// Element-wise helpers of the relevance steps. They work in the layout of their first operand
/// (the kernels' channel-blocked layout for activations and relevance), converting a second
/// operand only when its layout differs, and loops over large tensors run in parallel chunks
/// (one per core).
enum Elementwise {
    /// f(x) element by element; in x's layout when f(0) = 0 (blocked padding stays zero),
    /// otherwise plain.
    static func map(_ x: Tensor, _ transform: @escaping (Float) -> Float) -> Tensor {
        let source = transform(0) == 0 ? x : x.plain()
        var result = Tensor.uninitialized(like: source)
        result.withUnsafeMutableStorage { values in
            source.withUnsafeStorage { operands in
                chunks(values.count) { range in
                    for index in range { values[index] = transform(operands[index]) }
                }
            }
        }
        return result
    }

    /// x split into x⁺ = max(x, 0) and x⁻ = min(x, 0), nil for a part that is all zero (x itself
    /// stands for x⁺ when x has no negative element, and for x⁻ when it has no positive one).
    static func signParts(_ x: Tensor) -> (positive: Tensor?, negative: Tensor?) {
        let (low, high) = x.withUnsafeStorage { values in (values.min() ?? 0, values.max() ?? 0) }
        switch (low < 0, high > 0) {
        case (false, false): return (nil, nil)
        case (false, true): return (x, nil)
        case (true, false): return (nil, x)
        case (true, true): return (map(x) { max($0, 0) }, map(x) { min($0, 0) })
        }
    }

    /// The parameters with `weight` applied to the weight and the bias replaced by `bias` of it
    /// (nil drops it to zero).
    static func parameters(_ parameters: [Tensor], roles: [String], weight: WeightTransform,
                           bias: WeightTransform?) -> [Tensor] {
        zip(roles, parameters).map { role, value in
            switch role {
            case "weight": value.transformed(by: weight)
            case "bias": value.transformed(by: bias ?? .zero)
            default: value
            }
        }
    }

    // Arithmetic of two tensors of one shape (relevance steps).

    static func add(_ a: Tensor, _ b: Tensor, scale: Float = 1) -> Tensor {
        combine(a, b) { x, y, result, range in
            for index in range { result[index] = x[index] + scale * y[index] }
        }
    }

    static func multiply(_ a: Tensor, _ b: Tensor, scale: Float = 1) -> Tensor {
        combine(a, b) { x, y, result, range in
            for index in range { result[index] = scale * x[index] * y[index] }
        }
    }

    /// R / (z + ε·sign z), sign 0 = +1.
    static func divide(_ r: Tensor, by z: Tensor, epsilon: Float) -> Tensor {
        combine(r, z) { r, z, result, range in
            for index in range { result[index] = r[index] / stabilised(z[index], epsilon: epsilon) }
        }
    }

    /// R / (a − b + ε·sign(a − b)), sign 0 = +1, without materialising a − b.
    static func divide(_ r: Tensor, byDifferenceOf a: Tensor, and b: Tensor, epsilon: Float) -> Tensor {
        let (left, right) = (a.laidOut(as: r.format), b.laidOut(as: r.format))
        return combine(r, left) { r, a, result, range in
            right.withUnsafeStorage { b in
                for index in range { result[index] = r[index] / stabilised(a[index] - b[index], epsilon: epsilon) }
            }
        }
    }

    /// One term scale · gradient ⊙ input of a rule's relevance.
    struct Product {
        var scale: Float
        var gradient: Tensor
        var input: Tensor
    }

    /// Σ scale · gradient ⊙ input over the products, in the first gradient's layout; nil when
    /// there are none. Two products (αβ after a ReLU: x⁺ through w⁺ and through w⁻) take one pass.
    static func sum(of products: [Product]) -> Tensor? {
        guard let first = products.first else { return nil }
        let format = first.gradient.format
        if products.count == 2 {
            let second = products[1]
            let (x, y, z) = (first.input.laidOut(as: format), second.gradient.laidOut(as: format), second.input.laidOut(as: format))
            let (a, b) = (first.scale, second.scale)
            return combine(first.gradient, x) { g, x, result, range in
                y.withUnsafeStorage { h in
                    z.withUnsafeStorage { u in
                        for index in range { result[index] = a * g[index] * x[index] + b * h[index] * u[index] }
                    }
                }
            }
        }
        var total = multiply(first.gradient, first.input, scale: first.scale)
        for product in products.dropFirst() {
            accumulateProduct(into: &total, product.input, product.gradient, scale: product.scale)
        }
        return total
    }

    /// sum += scale · a ⊙ b, in place in sum's layout (one pass instead of a product and a sum).
    static func accumulateProduct(into sum: inout Tensor, _ a: Tensor, _ b: Tensor, scale: Float) {
        let (left, right) = (a.laidOut(as: sum.format), b.laidOut(as: sum.format))
        sum.withUnsafeMutableStorage { values in
            left.withUnsafeStorage { x in
                right.withUnsafeStorage { y in
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

    /// A new tensor in a's layout, filled chunk by chunk by `loop(a, b, result, range)`.
    private static func combine(_ a: Tensor, _ b: Tensor,
                                _ loop: (UnsafeBufferPointer<Float>, UnsafeBufferPointer<Float>,
                                         UnsafeMutableBufferPointer<Float>, Range<Int>) -> Void) -> Tensor {
        let other = b.laidOut(as: a.format)
        var result = Tensor.uninitialized(like: a)
        result.withUnsafeMutableStorage { values in
            a.withUnsafeStorage { left in
                other.withUnsafeStorage { right in
                    let target = values
                    chunks(target.count) { range in loop(left, right, target, range) }
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
