import Foundation

/// Element-wise arithmetic, comparisons and logic on import-time constants: what windowed
/// attention (Swin's shifted-window masks, `Mod` of sizes, `Not` of comparisons) and scaled
/// attention (`Sqrt` of the head size, `Pow` of a scale) compute from shapes. Operands broadcast
/// (NumPy rules); comparisons and logic give booleans (integers 0/1).
extension ONNXConstantFolding {
    /// Op types `arithmetic(_:inputs:)` evaluates.
    static let foldedArithmetic: Set<String> = [
        "Mod", "Pow", "Sqrt", "Abs", "Floor", "Ceil", "Reciprocal", "Min", "Max",
        "Not", "And", "Or", "Xor", "Less", "LessOrEqual", "Greater", "GreaterOrEqual",
    ]

    /// The value of one of `foldedArithmetic`'s ops.
    ///
    /// - `Mod(a, b)`: with `fmod = 0` (integers) the remainder takes the divisor's sign, as
    ///   Python's `%`; with `fmod = 1` (required for floats) it takes the dividend's, as C's `fmod`.
    /// - `Pow(x, p)`: xᵖ, integers when both are integers and p ≥ 0.
    /// - `Min`, `Max`: of any number of operands.
    func arithmetic(_ node: ONNXNode, inputs: [ONNXConstant]) throws -> ONNXConstant {
        guard let first = inputs.first else { throw ONNXImportIssue.malformed("input 0 is missing") }
        func operands(_ count: Int) throws -> [ONNXConstant] {
            guard inputs.count == count else { throw ONNXImportIssue.malformed("\(node.opType) takes \(count) inputs") }
            let mixed = inputs.contains { !$0.isInteger }
            return inputs.map { mixed && $0.isInteger ? ONNXConstant(shape: $0.shape, floats: $0.floats) : $0 }
        }
        func boolean(_ result: ONNXConstant) -> ONNXConstant { ONNXConstant(shape: result.shape, ints: result.ints) }
        func float(_ f: @escaping (Float) -> Float) throws -> ONNXConstant {
            try elementwise([ONNXConstant(shape: first.shape, floats: first.floats)], int: { $0[0] }, float: { f($0[0]) })
        }
        switch node.opType {
        case "Mod":
            let pair = try operands(2)
            let truncated = try node.int("fmod", default: 0) != 0
            if pair[1].isInteger && pair[1].ints.contains(0) { throw ONNXImportIssue.malformed("integer modulo by zero") }
            return try elementwise(pair, int: { Self.remainder($0[0], $0[1], truncated: truncated) },
                                   float: { truncated ? fmodf($0[0], $0[1]) : Self.floorRemainder($0[0], $0[1]) })
        case "Pow":
            let pair = try operands(2)
            if pair[1].isInteger && pair[1].ints.contains(where: { $0 < 0 }) {
                return try elementwise(pair.map { ONNXConstant(shape: $0.shape, floats: $0.floats) },
                                       int: { $0[0] }, float: { powf($0[0], $0[1]) })
            }
            return try elementwise(pair, int: { Self.power($0[0], $0[1]) }, float: { powf($0[0], $0[1]) })
        case "Sqrt": return try float { $0.squareRoot() }
        case "Reciprocal": return try float { 1 / $0 }
        case "Abs": return try elementwise([first], int: { Swift.abs($0[0]) }, float: { Swift.abs($0[0]) })
        case "Floor": return try elementwise([first], int: { $0[0] }, float: { $0[0].rounded(.down) })
        case "Ceil": return try elementwise([first], int: { $0[0] }, float: { $0[0].rounded(.up) })
        case "Min", "Max":
            let isMax = node.opType == "Max"
            let all = try operands(inputs.count)
            return try all.dropFirst().reduce(all[0]) { partial, next in
                try elementwise([partial, next], int: { isMax ? Swift.max($0[0], $0[1]) : Swift.min($0[0], $0[1]) },
                                float: { isMax ? Swift.max($0[0], $0[1]) : Swift.min($0[0], $0[1]) })
            }
        case "Not": return boolean(try elementwise([first], int: { $0[0] == 0 ? 1 : 0 }, float: { $0[0] == 0 ? 1 : 0 }))
        case "And": return boolean(try elementwise(try operands(2), int: { $0[0] != 0 && $0[1] != 0 ? 1 : 0 },
                                                   float: { $0[0] != 0 && $0[1] != 0 ? 1 : 0 }))
        case "Or": return boolean(try elementwise(try operands(2), int: { $0[0] != 0 || $0[1] != 0 ? 1 : 0 },
                                                  float: { $0[0] != 0 || $0[1] != 0 ? 1 : 0 }))
        case "Xor": return boolean(try elementwise(try operands(2), int: { ($0[0] != 0) != ($0[1] != 0) ? 1 : 0 },
                                                   float: { ($0[0] != 0) != ($0[1] != 0) ? 1 : 0 }))
        case "Less": return boolean(try elementwise(try operands(2), int: { $0[0] < $0[1] ? 1 : 0 }, float: { $0[0] < $0[1] ? 1 : 0 }))
        case "LessOrEqual":
            return boolean(try elementwise(try operands(2), int: { $0[0] <= $0[1] ? 1 : 0 }, float: { $0[0] <= $0[1] ? 1 : 0 }))
        case "Greater": return boolean(try elementwise(try operands(2), int: { $0[0] > $0[1] ? 1 : 0 }, float: { $0[0] > $0[1] ? 1 : 0 }))
        case "GreaterOrEqual":
            return boolean(try elementwise(try operands(2), int: { $0[0] >= $0[1] ? 1 : 0 }, float: { $0[0] >= $0[1] ? 1 : 0 }))
        default:
            throw ONNXImportIssue.unsupported("cannot be folded")
        }
    }

    /// a mod b for integers: truncated (C) or floored (Python, the divisor's sign).
    static func remainder(_ a: Int, _ b: Int, truncated: Bool) -> Int {
        guard b != -1 else { return 0 }
        let r = a % b
        return truncated || r == 0 || (r < 0) == (b < 0) ? r : r + b
    }

    /// a mod b for floats with the divisor's sign.
    static func floorRemainder(_ a: Float, _ b: Float) -> Float {
        let r = fmodf(a, b)
        return r != 0 && (r < 0) != (b < 0) ? r + b : r
    }

    /// bᵉ for integers with e ≥ 0 (wrapping on overflow, as int64 arithmetic does).
    static func power(_ base: Int, _ exponent: Int) -> Int {
        var result = 1
        for _ in 0..<Swift.max(0, Swift.min(exponent, 64)) { result = result &* base }
        return result
    }
}
