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

/// Fixes malloc's mmap threshold at `LargeBufferPool.threshold`: smaller allocations come from
/// malloc's heap, larger ones are mapped (and kept by the pool). glibc otherwise moves the
/// threshold up each time it frees a mapped buffer, so where a buffer lives depends on the run's
/// history. Processes call it once at start; a no-op off glibc.
public func fixAllocatorThreshold() {
    #if canImport(Glibc)
    let mmapThreshold: Int32 = -3  // M_MMAP_THRESHOLD of <malloc.h>, which Glibc's Swift module leaves out
    _ = glibcMallopt(mmapThreshold, Int32(LargeBufferPool.threshold))
    #endif
}

#if canImport(Glibc)
/// glibc's `int mallopt(int param, int value)`.
@_silgen_name("mallopt")
private func glibcMallopt(_ parameter: Int32, _ value: Int32) -> Int32
#endif

/// Returns the free pages of malloc's heap to the system (`malloc_trim(0)`). A dataset run calls
/// it between batches: the batch-sized tensors (megabytes each) otherwise leave freed, fragmented
/// heap space resident, and peak memory wandered with the number of samples (an `evaluate` of
/// MovingShapes clips peaked at 335, 368, 421 and 380 MB for 100, 200, 400 and 1,000 clips; with
/// the trim 316, 322 and 320 MB for 100, 400 and 1,000, at the same speed).
public func releaseFreeHeapPages() {
    #if canImport(Glibc)
    _ = glibcMallocTrim(0)
    #endif
}

#if canImport(Glibc)
/// glibc's `int malloc_trim(size_t pad)`.
@_silgen_name("malloc_trim")
private func glibcMallocTrim(_ pad: Int) -> Int32
#endif
