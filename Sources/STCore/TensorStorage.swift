import Synchronization

/// A 64-byte aligned buffer of Floats shared by tensors until one of them writes (copy on write).
final class TensorStorage: @unchecked Sendable {
    let count: Int
    private let base: UnsafeMutablePointer<Float>
    /// Writes the contents on first access, for storage whose values may never be read in this
    /// form (a transformed weight that kernels derive from the source's reordered copy instead).
    private let pendingFill = Mutex<(@Sendable (UnsafeMutablePointer<Float>) -> Void)?>(nil)

    /// The buffer, its contents written first if they were deferred.
    var pointer: UnsafeMutablePointer<Float> {
        pendingFill.withLock { fill in
            fill?(base)
            fill = nil
        }
        return base
    }
    /// Bumped on every write through `Tensor.withUnsafeMutableBufferPointer`, so caches derived
    /// from the contents (reordered or folded weights) notice in-place updates.
    private(set) var version = 0

    func markWritten() {
        version &+= 1
    }

    init(count: Int) {
        self.count = count
        let bytes = Self.byteCount(count)
        let raw = LargeBufferPool.take(bytes: bytes) ?? UnsafeMutableRawPointer.allocate(byteCount: bytes, alignment: 64)
        base = raw.bindMemory(to: Float.self, capacity: max(count, 1))
    }

    /// Storage of `count` Floats whose contents `fill` writes when they are first accessed.
    convenience init(count: Int, deferredFill fill: @escaping @Sendable (UnsafeMutablePointer<Float>) -> Void) {
        self.init(count: count)
        pendingFill.withLock { $0 = fill }
    }

    private static func byteCount(_ count: Int) -> Int {
        max(count, 1) * MemoryLayout<Float>.stride
    }

    convenience init(zeros count: Int) {
        self.init(count: count)
        pointer.initialize(repeating: 0, count: count)
    }

    func copy() -> TensorStorage {
        let result = TensorStorage(count: count)
        result.pointer.update(from: pointer, count: count)
        return result
    }

    deinit {
        LargeBufferPool.give(UnsafeMutableRawPointer(base), bytes: Self.byteCount(count))
    }
}
