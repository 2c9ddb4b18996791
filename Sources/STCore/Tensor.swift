/// An n-dimensional array of `Float` with value semantics (copy on write).
///
/// The shape is in PyTorch order: images `N C H W`, video `N C T H W`, skeletons `N C T V M`,
/// graph features `N C T V`. Elements are row-major in that order unless `format` says the
/// kernels left them in a blocked layout; every accessor that exposes elements to Swift
/// returns them in plain row-major order.
public struct Tensor: Sendable {
    /// Logical shape, PyTorch order.
    public let shape: [Int]
    /// Physical layout of `storage`.
    public let format: MemoryFormat
    var storage: TensorStorage

    init(shape: [Int], format: MemoryFormat, storage: TensorStorage) {
        precondition(storage.count >= format.storageCount(for: shape), "storage too small for \(shape)")
        self.shape = shape
        self.format = format
        self.storage = storage
    }

    /// A tensor of the given shape holding `scalars` in row-major order.
    public init(shape: [Int], scalars: [Float]) {
        precondition(scalars.count == shape.reduce(1, *),
                     "\(scalars.count) scalars do not fill shape \(shape)")
        let storage = TensorStorage(count: scalars.count)
        scalars.withUnsafeBufferPointer { storage.pointer.update(from: $0.baseAddress!, count: scalars.count) }
        self.init(shape: shape, format: .plain, storage: storage)
    }

    /// A tensor of the given shape filled with `value`.
    public init(repeating value: Float, shape: [Int]) {
        let count = shape.reduce(1, *)
        let storage = TensorStorage(count: count)
        storage.pointer.initialize(repeating: value, count: count)
        self.init(shape: shape, format: .plain, storage: storage)
    }

    /// A tensor of zeros.
    public init(zeros shape: [Int]) {
        self.init(repeating: 0, shape: shape)
    }

    /// A scalar (shape `[]`).
    public init(_ value: Float) {
        self.init(shape: [], scalars: [value])
    }

    /// An uninitialised plain tensor, for kernels that overwrite every element.
    init(uninitialized shape: [Int], format: MemoryFormat = .plain) {
        let storage = TensorStorage(count: format.storageCount(for: shape))
        self.init(shape: shape, format: format, storage: storage)
    }

    /// Normally distributed elements, `mean + std·z`, reproducible from `seed`.
    public static func randomNormal(shape: [Int], mean: Float = 0, std: Float = 1, seed: UInt64) -> Tensor {
        var generator = SeededGenerator(seed: seed)
        return Tensor(shape: shape, scalars: (0..<shape.reduce(1, *)).map { _ in mean + std * generator.nextNormal() })
    }

    /// Uniformly distributed elements in `range`, reproducible from `seed`.
    public static func randomUniform(shape: [Int], in range: ClosedRange<Float> = -1...1, seed: UInt64) -> Tensor {
        var generator = SeededGenerator(seed: seed)
        let width = range.upperBound - range.lowerBound
        return Tensor(shape: shape, scalars: (0..<shape.reduce(1, *)).map { _ in
            range.lowerBound + width * generator.nextUnitFloat()
        })
    }

    /// Number of logical elements.
    public var count: Int { shape.reduce(1, *) }

    /// Number of dimensions.
    public var rank: Int { shape.count }

    /// The elements in row-major order.
    public var scalars: [Float] {
        withUnsafeBufferPointer { Array($0) }
    }

    /// The single element of a one-element tensor.
    public var scalar: Float {
        precondition(count == 1, "scalar of a tensor with shape \(shape)")
        return withUnsafeBufferPointer { $0[0] }
    }

    /// This tensor in plain row-major layout (no copy when it already is).
    public func plain() -> Tensor {
        format == .plain ? self : DNNL.reorder(self, to: .plain)
    }

    /// Reads the elements in row-major order.
    public func withUnsafeBufferPointer<R>(_ body: (UnsafeBufferPointer<Float>) throws -> R) rethrows -> R {
        try plain().withUnsafeStorage(body)
    }

    /// Writes the elements in row-major order; the storage is made plain and unique first.
    public mutating func withUnsafeMutableBufferPointer<R>(
        _ body: (inout UnsafeMutableBufferPointer<Float>) throws -> R
    ) rethrows -> R {
        if format != .plain {
            self = plain()
        }
        return try withUnsafeMutableStorage(body)
    }

    /// The same elements viewed with another shape of equal element count (shares storage).
    public func reshaped(_ newShape: [Int]) -> Tensor {
        precondition(newShape.reduce(1, *) == count, "cannot reshape \(shape) to \(newShape)")
        return Tensor(shape: newShape, format: .plain, storage: plain().storage)
    }

    /// Element at a multi-index (row-major); for tests and small tensors.
    public subscript(_ index: Int...) -> Float {
        precondition(index.count == rank, "index \(index) for shape \(shape)")
        var flat = 0
        for (axis, i) in index.enumerated() {
            precondition(i >= 0 && i < shape[axis], "index \(index) out of range for shape \(shape)")
            flat = flat * shape[axis] + i
        }
        return withUnsafeBufferPointer { $0[flat] }
    }

    /// Whether two tensors share storage (for copy-on-write tests).
    func sharesStorage(with other: Tensor) -> Bool {
        storage === other.storage
    }
}

extension Tensor: Equatable {
    /// Equal shapes and equal elements (layouts may differ).
    public static func == (lhs: Tensor, rhs: Tensor) -> Bool {
        lhs.shape == rhs.shape && lhs.scalars == rhs.scalars
    }
}

extension Tensor: CustomStringConvertible {
    public var description: String {
        let preview = scalars.prefix(8).map { String(format: "%.4g", $0) }.joined(separator: ", ")
        return "Tensor\(shape)[\(preview)\(count > 8 ? ", …" : "")]"
    }
}

import Foundation
