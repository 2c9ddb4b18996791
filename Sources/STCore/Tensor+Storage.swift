/// Element-wise access in the physical layout, padded slots included: the storage as oneDNN's
/// kernels see it, for code that must not reorder a blocked tensor to plain and back.
///
/// In blocked layouts the channels are padded up to a multiple of the block; the padded slots
/// hold zeros and must stay zero.
extension Tensor {
    /// Number of Float slots the storage holds: `count`, plus the padded channels of a blocked layout.
    public var storageCount: Int { format.storageCount(for: shape) }

    /// This tensor in `format` (itself when it already is).
    public func laidOut(as format: MemoryFormat) -> Tensor {
        self.format == format ? self : DNNL.reorder(self, to: format)
    }

    /// Reads the storage in its physical layout, padded slots included.
    public func withUnsafeStorage<R>(_ body: (UnsafeBufferPointer<Float>) throws -> R) rethrows -> R {
        try withExtendedLifetime(storage) {
            try body(UnsafeBufferPointer(start: storage.pointer, count: storageCount))
        }
    }

    /// Writes the storage in its physical layout (made unique first); padded slots must stay zero.
    public mutating func withUnsafeMutableStorage<R>(
        _ body: (inout UnsafeMutableBufferPointer<Float>) throws -> R
    ) rethrows -> R {
        if !isKnownUniquelyReferenced(&storage) {
            storage = storage.copy()
        }
        storage.markWritten()
        var buffer = UnsafeMutableBufferPointer(start: storage.pointer, count: storageCount)
        return try body(&buffer)
    }
}
