import Testing
@testable import STCore

/// Large storages are recycled by size: a freed 32 MB buffer serves the next storage of that size,
/// other sizes and small storages are left to malloc.
@Suite(.serialized) struct LargeBufferPoolTests {
    static let largeCount = LargeBufferPool.threshold / MemoryLayout<Float>.stride

    @Test func aFreedLargeBufferServesTheNextStorageOfItsSize() {
        var address: UnsafeMutablePointer<Float>?
        do {
            let first = TensorStorage(count: Self.largeCount + 16)
            address = first.pointer
        }
        let other = TensorStorage(count: Self.largeCount + 32)
        #expect(other.pointer != address)
        let second = TensorStorage(count: Self.largeCount + 16)
        #expect(second.pointer == address)
        #expect(LargeBufferPool.take(bytes: LargeBufferPool.threshold - 64) == nil)
    }

    @Test func recycledBuffersAreStillZeroedWhenAskedTo() {
        do {
            let dirty = TensorStorage(count: Self.largeCount + 48)
            dirty.pointer.update(repeating: 7, count: dirty.count)
        }
        let zeros = Tensor(zeros: [Self.largeCount + 48])
        #expect(zeros.withUnsafeBufferPointer { $0.allSatisfy { $0 == 0 } })
    }
}
