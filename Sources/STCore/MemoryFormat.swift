/// How a tensor's elements are laid out in memory. The logical shape is always in PyTorch order
/// (`N C H W`, `N C T H W`, …); only the physical order differs.
///
/// oneDNN prefers channel-blocked layouts for convolutions on x86 (`nChw16c`, `nCdhw16c`); the
/// engine keeps activations in whatever layout the kernels chose between consecutive oneDNN ops
/// and converts to `.plain` only where Swift code reads the elements.
public enum MemoryFormat: Hashable, Sendable, CustomStringConvertible {
    /// Row-major in shape order (PyTorch's contiguous layout).
    case plain
    /// Channels innermost: `N, spatial…, C` (PyTorch's channels_last).
    case channelsLast
    /// Channels split into blocks of `n`, the block innermost: `N, ⌈C/n⌉, spatial…, n`.
    /// Channels are zero-padded up to a multiple of `n`.
    case channelBlocked(Int)

    /// Number of Float slots a tensor of `shape` occupies in this format (padding included).
    public func storageCount(for shape: [Int]) -> Int {
        switch self {
        case .plain, .channelsLast:
            return shape.reduce(1, *)
        case .channelBlocked(let block):
            precondition(shape.count >= 2, "blocked formats need a channel axis")
            var padded = shape
            padded[1] = (shape[1] + block - 1) / block * block
            return padded.reduce(1, *)
        }
    }

    public var description: String {
        switch self {
        case .plain: return "plain"
        case .channelsLast: return "channels-last"
        case .channelBlocked(let block): return "blocked\(block)c"
        }
    }
}
