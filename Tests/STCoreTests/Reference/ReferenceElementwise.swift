import Foundation
@testable import STCore

// MARK: - Broadcasting

extension Reference {
    /// The numpy/PyTorch broadcast shape: shapes are aligned at their last axis, missing leading
    /// axes count as 1, and along each axis the sizes must be equal or one of them 1.
    static func broadcastShape(_ a: [Int], _ b: [Int]) -> [Int] {
        let rank = max(a.count, b.count)
        let paddedA = [Int](repeating: 1, count: rank - a.count) + a
        let paddedB = [Int](repeating: 1, count: rank - b.count) + b
        return (0..<rank).map { d in
            precondition(paddedA[d] == paddedB[d] || paddedA[d] == 1 || paddedB[d] == 1,
                         "shapes \(a) and \(b) do not broadcast")
            return paddedA[d] == 1 ? paddedB[d] : paddedA[d]
        }
    }

    /// The flat offset in a tensor of shape `sourceShape` of the element that broadcasts to
    /// `index` (an index into the broadcast shape, whose rank is at least `sourceShape.count`):
    /// axes are aligned at the end and size-1 source axes are read at 0.
    static func broadcastSourceOffset(_ index: [Int], sourceShape: [Int]) -> Int {
        precondition(index.count >= sourceShape.count)
        let aligned = Array(index.suffix(sourceShape.count))
        let sourceIndex = (0..<sourceShape.count).map { sourceShape[$0] == 1 ? 0 : aligned[$0] }
        return flatOffset(sourceIndex, in: sourceShape)
    }

    /// `op(a, b)` elementwise after broadcasting `a` and `b` to `broadcastShape(a.shape, b.shape)`.
    private static func broadcasting(_ a: Tensor, _ b: Tensor, _ op: (Double, Double) -> Double) -> Tensor {
        let shape = broadcastShape(a.shape, b.shape)
        let aValues = a.scalars, bValues = b.scalars
        var out = [Float]()
        out.reserveCapacity(shape.reduce(1, *))
        forEachIndex(shape) { index in
            let u = aValues[broadcastSourceOffset(index, sourceShape: a.shape)]
            let v = bValues[broadcastSourceOffset(index, sourceShape: b.shape)]
            out.append(Float(op(Double(u), Double(v))))
        }
        return Tensor(shape: shape, scalars: out)
    }

    /// `a + b` with numpy broadcasting (`torch.add`).
    static func add(_ a: Tensor, _ b: Tensor) -> Tensor {
        broadcasting(a, b, +)
    }

    /// `a · b` elementwise with numpy broadcasting (`torch.mul`).
    static func mul(_ a: Tensor, _ b: Tensor) -> Tensor {
        broadcasting(a, b, *)
    }
}

// MARK: - Arithmetic of tensors of one shape

extension Reference {
    /// `f` of corresponding elements of tensors of one shape, evaluated in `Double`.
    private static func zipped(_ tensors: [Tensor], _ f: ([Double]) -> Double) -> Tensor {
        let values = tensors.map(\.scalars)
        precondition(tensors.allSatisfy { $0.shape == tensors[0].shape }, "shapes \(tensors.map(\.shape))")
        return Tensor(shape: tensors[0].shape, scalars: (0..<tensors[0].count).map { i in Float(f(values.map { Double($0[i]) })) })
    }

    /// `a + scale·b` elementwise.
    static func add(_ a: Tensor, _ b: Tensor, scale: Float) -> Tensor {
        zipped([a, b]) { $0[0] + Double(scale) * $0[1] }
    }

    /// `scale·a·b` elementwise.
    static func mul(_ a: Tensor, _ b: Tensor, scale: Float) -> Tensor {
        zipped([a, b]) { Double(scale) * $0[0] * $0[1] }
    }

    /// LRP's ε-rule ratio `r / (z + ε·sign z)` elementwise, with sign 0 = +1 (zennit's `stabilize`).
    static func stabilisedQuotient(_ r: Tensor, _ z: Tensor, epsilon: Float) -> Tensor {
        zipped([r, z]) { $0[0] / ($0[1] + ($0[1] >= 0 ? Double(epsilon) : -Double(epsilon))) }
    }

    /// `Σ scale·a·b` over the terms, elementwise.
    static func sumOfProducts(_ terms: [(scale: Float, a: Tensor, b: Tensor)]) -> Tensor {
        zipped(terms.flatMap { [$0.a, $0.b] }) { values in
            terms.indices.reduce(0) { $0 + Double(terms[$1].scale) * values[2 * $1] * values[2 * $1 + 1] }
        }
    }

    /// `max(x, 0)` and `min(x, 0)` elementwise.
    static func signParts(_ x: Tensor) -> (positive: Tensor, negative: Tensor) {
        (zipped([x]) { Swift.max($0[0], 0) }, zipped([x]) { Swift.min($0[0], 0) })
    }
}

// MARK: - Activations

extension Reference {
    /// `f` applied to every element, evaluated in `Double`.
    private static func map(_ x: Tensor, _ f: (Double) -> Double) -> Tensor {
        Tensor(shape: x.shape, scalars: x.scalars.map { Float(f(Double($0))) })
    }

    /// `torch.relu`: `max(x, 0)` elementwise; NaN stays NaN.
    static func relu(_ x: Tensor) -> Tensor {
        map(x) { $0.isNaN ? $0 : ($0 > 0 ? $0 : 0) }
    }

    /// `torch.sigmoid`: `1 / (1 + e^(−x))` elementwise.
    static func sigmoid(_ x: Tensor) -> Tensor {
        map(x) { 1 / (1 + Foundation.exp(-$0)) }
    }

    /// `torch.nn.functional.leaky_relu`: x for x > 0, slope·x otherwise.
    static func leakyReLU(_ x: Tensor, slope: Float) -> Tensor {
        map(x) { $0 > 0 ? $0 : Double(slope) * $0 }
    }

    /// `torch.tanh`: `(e^x − e^(−x)) / (e^x + e^(−x))` elementwise.
    static func tanh(_ x: Tensor) -> Tensor {
        map(x) { Foundation.tanh($0) }
    }

    /// `torch.reciprocal`: `1 / x` elementwise.
    static func reciprocal(_ x: Tensor) -> Tensor {
        map(x) { 1 / $0 }
    }

    /// `torch.nn.functional.gelu(approximate: "none")`: `x·Φ(x) = ½x(1 + erf(x/√2))` elementwise.
    static func gelu(_ x: Tensor) -> Tensor {
        map(x) { 0.5 * $0 * (1 + Foundation.erf($0 / 2.0.squareRoot())) }
    }

    /// `torch.nn.functional.gelu(approximate: "tanh")`: `½x(1 + tanh(√(2/π)(x + 0.044715x³)))` elementwise.
    static func geluTanh(_ x: Tensor) -> Tensor {
        map(x) { 0.5 * $0 * (1 + Foundation.tanh((2 / Double.pi).squareRoot() * ($0 + 0.044715 * $0 * $0 * $0))) }
    }

    /// ONNX `HardSigmoid`: `max(0, min(1, α·x + β))` elementwise.
    static func hardSigmoid(_ x: Tensor, alpha: Float, beta: Float) -> Tensor {
        map(x) { Swift.max(0, Swift.min(1, Double(alpha) * $0 + Double(beta))) }
    }

    /// `torch.nn.functional.hardswish`: `x·max(0, min(1, x/6 + ½))` elementwise.
    static func hardSwish(_ x: Tensor) -> Tensor {
        map(x) { $0 * Swift.max(0, Swift.min(1, $0 / 6 + 0.5)) }
    }

    /// `torch.pow(x, p)`: `x^p` elementwise.
    static func power(_ x: Tensor, exponent: Float) -> Tensor {
        map(x) { Foundation.pow($0, Double(exponent)) }
    }

    /// `torch.sqrt`: `√x` elementwise.
    static func sqrt(_ x: Tensor) -> Tensor {
        map(x) { $0.squareRoot() }
    }

    /// `torch.erf`: `2/√π ∫₀ˣ e^(−t²) dt` elementwise.
    static func erf(_ x: Tensor) -> Tensor {
        map(x) { Foundation.erf($0) }
    }

    /// Calls `body` once per slice along `axis` with the flat offsets of that slice's elements.
    private static func forEachSlice(of shape: [Int], axis: Int, _ body: ([Int]) -> Void) {
        let outer = shape[..<axis].reduce(1, *)
        let length = shape[axis]
        let inner = shape[(axis + 1)...].reduce(1, *)
        guard length > 0 else { return }
        for o in 0..<outer {
            for i in 0..<inner {
                body((0..<length).map { j in (o * length + j) * inner + i })
            }
        }
    }

    /// `torch.softmax(x, dim: axis)`: along `axis` (negative counts from the end),
    ///
    ///     out[…, j, …] = e^(x_j − max) / Σ_l e^(x_l − max),    max = max_l x_l
    ///
    /// (subtracting the maximum does not change the value, it only avoids overflow).
    static func softmax(_ x: Tensor, axis: Int) -> Tensor {
        let axis = normalizedAxis(axis, rank: x.rank)
        let values = x.scalars
        var out = values
        forEachSlice(of: x.shape, axis: axis) { offsets in
            let maximum = offsets.map { Double(values[$0]) }.max()!
            let exponentials = offsets.map { Foundation.exp(Double(values[$0]) - maximum) }
            let total = exponentials.reduce(0, +)
            for (offset, e) in zip(offsets, exponentials) { out[offset] = Float(e / total) }
        }
        return Tensor(shape: x.shape, scalars: out)
    }

    /// `torch.log_softmax(x, dim: axis)`: along `axis`,
    ///
    ///     out[…, j, …] = x_j − max − log Σ_l e^(x_l − max),    max = max_l x_l
    static func logSoftmax(_ x: Tensor, axis: Int) -> Tensor {
        let axis = normalizedAxis(axis, rank: x.rank)
        let values = x.scalars
        var out = values
        forEachSlice(of: x.shape, axis: axis) { offsets in
            let maximum = offsets.map { Double(values[$0]) }.max()!
            let logTotal = Foundation.log(offsets.map { Foundation.exp(Double(values[$0]) - maximum) }.reduce(0, +))
            for offset in offsets { out[offset] = Float(Double(values[offset]) - maximum - logTotal) }
        }
        return Tensor(shape: x.shape, scalars: out)
    }
}
