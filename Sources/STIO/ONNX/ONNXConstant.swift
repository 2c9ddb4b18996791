import STCore

/// A tensor known at import time: an initializer, a `Constant` node's value, or the result of
/// folding the shape arithmetic that `torch.onnx.export` emits. Integers (int64, int32, bool, …)
/// and floats are kept apart so that shape computations stay exact.
struct ONNXConstant: Sendable, Equatable {
    enum Elements: Sendable, Equatable {
        case float([Float])
        case int([Int])
    }

    var shape: [Int]
    var elements: Elements
    /// The initializer this value is, unchanged; it names the parameter the value becomes.
    var initializer: String?

    init(shape: [Int], elements: Elements, initializer: String? = nil) {
        self.shape = shape
        self.elements = elements
        self.initializer = initializer
    }

    init(shape: [Int], floats: [Float]) {
        self.init(shape: shape, elements: .float(floats))
    }

    init(shape: [Int], ints: [Int]) {
        self.init(shape: shape, elements: .int(ints))
    }

    /// A 1-D integer tensor (a shape, a list of axes).
    init(vector: [Int]) {
        self.init(shape: [vector.count], ints: vector)
    }

    var count: Int { shape.reduce(1, *) }

    var isInteger: Bool {
        if case .int = elements { return true }
        return false
    }

    /// The elements as floats (integers converted).
    var floats: [Float] {
        switch elements {
        case .float(let values): return values
        case .int(let values): return values.map { Float($0) }
        }
    }

    /// The elements as integers (floats truncated toward zero and clamped to ±9·10¹⁸; NaN becomes 0).
    var ints: [Int] {
        switch elements {
        case .int(let values): return values
        case .float(let values): return values.map { $0.isNaN ? 0 : Int(Swift.max(Swift.min($0, 9e18), -9e18)) }
        }
    }

    /// The value as an engine tensor.
    var tensor: Tensor { Tensor(shape: shape, scalars: floats) }

    /// The same elements with another shape (no initializer: the value is no longer the file's).
    func reshaped(_ shape: [Int]) -> ONNXConstant {
        ONNXConstant(shape: shape, elements: elements)
    }

    /// A tensor of `shape` whose element i is this tensor's element `sources[i]` (flat indices).
    func picking(_ sources: [Int], shape: [Int]) -> ONNXConstant {
        switch elements {
        case .float(let values): return ONNXConstant(shape: shape, floats: sources.map { values[$0] })
        case .int(let values): return ONNXConstant(shape: shape, ints: sources.map { values[$0] })
        }
    }

    /// Row-major strides of a shape.
    static func strides(_ shape: [Int]) -> [Int] {
        var strides = [Int](repeating: 1, count: shape.count)
        for axis in shape.indices.dropLast().reversed() { strides[axis] = strides[axis + 1] * shape[axis + 1] }
        return strides
    }
}
