import Foundation

/// Freed buffers of 32 MB and more, kept for reuse by the next buffer of the same size.
///
/// malloc serves such sizes with fresh mappings, so every large tensor (a batch of video
/// activations) would page-fault and have the kernel zero all its pages again; explaining a batch
/// allocates the same sizes layer after layer. At most `capacity` bytes are kept (a quarter of
/// physical memory, at most 4 GB); the oldest buffer goes first when a new one does not fit.
enum LargeBufferPool {
    /// Buffers below this size are left to malloc, which recycles them itself.
    static let threshold = 32 << 20
    static let capacity = min(4 << 30, Int(ProcessInfo.processInfo.physicalMemory / 4))

    private static let lock = NSLock()
    nonisolated(unsafe) private static var free: [(bytes: Int, pointer: UnsafeMutableRawPointer)] = []
    nonisolated(unsafe) private static var keptBytes = 0

    /// A kept buffer of exactly `bytes`, or nil.
    static func take(bytes: Int) -> UnsafeMutableRawPointer? {
        guard bytes >= threshold else { return nil }
        lock.lock()
        defer { lock.unlock() }
        guard let index = free.lastIndex(where: { $0.bytes == bytes }) else { return nil }
        keptBytes -= bytes
        return free.remove(at: index).pointer
    }

    /// Keeps `pointer` (of `bytes`, 64-byte aligned) for reuse, or frees it when it is small or
    /// larger than the pool.
    static func give(_ pointer: UnsafeMutableRawPointer, bytes: Int) {
        guard bytes >= threshold, bytes <= capacity else { return pointer.deallocate() }
        lock.lock()
        var evicted: [UnsafeMutableRawPointer] = []
        while keptBytes + bytes > capacity, !free.isEmpty {
            let oldest = free.removeFirst()
            keptBytes -= oldest.bytes
            evicted.append(oldest.pointer)
        }
        free.append((bytes, pointer))
        keptBytes += bytes
        lock.unlock()
        for buffer in evicted { buffer.deallocate() }
    }
}
