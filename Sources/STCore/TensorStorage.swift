/// A 64-byte aligned buffer of Floats shared by tensors until one of them writes (copy on write).
final class TensorStorage: @unchecked Sendable {
    let pointer: UnsafeMutablePointer<Float>
    let count: Int
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
        pointer = raw.bindMemory(to: Float.self, capacity: max(count, 1))
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
        LargeBufferPool.give(UnsafeMutableRawPointer(pointer), bytes: Self.byteCount(count))
    }
}
