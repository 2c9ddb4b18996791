import STCore

/// Element-wise helpers the rules use on plain tensors.
enum Elementwise {
    static func map(_ x: Tensor, _ transform: (Float) -> Float) -> Tensor {
        Tensor(shape: x.shape, scalars: x.plain().scalars.map(transform))
    }

    /// Whether every element is 0.
    static func isZero(_ x: Tensor) -> Bool {
        x.plain().withUnsafeBufferPointer { values in !values.contains { $0 != 0 } }
    }

    static func positive(_ x: Tensor) -> Tensor { map(x) { max($0, 0) } }
    static func negative(_ x: Tensor) -> Tensor { map(x) { min($0, 0) } }

    /// The parameters with `transform` applied to the weight and the bias replaced by `bias`
    /// (nil drops it to zero).
    static func parameters(_ parameters: [Tensor], roles: [String], weight transform: (Float) -> Float,
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

    /// The ε steps' denominator z + ε·sign z, sign 0 = +1.
    @inline(__always)
    static func stabilised(_ z: Float, epsilon: Float) -> Float {
        z + (z >= 0 ? epsilon : -epsilon)
    }

    @inline(__always)
    private static func combine(_ a: Tensor, _ b: Tensor, _ operation: (Float, Float) -> Float) -> Tensor {
        var result = a.plain()
        let other = b.plain()
        result.withUnsafeMutableBufferPointer { values in
            other.withUnsafeBufferPointer { operands in
                for index in values.indices { values[index] = operation(values[index], operands[index]) }
            }
        }
        return result
    }
}
