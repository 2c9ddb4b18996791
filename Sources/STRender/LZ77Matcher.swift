/// Finds back-references for DEFLATE: for a position, the longest earlier occurrence (within
/// 32 KiB) of the bytes that start there, via hash chains over 3-byte prefixes as in zlib.
struct LZ77Matcher {
    static let window = 32768
    static let minimumLength = 3
    static let maximumLength = 258
    private static let hashBits = 15

    private let bytes: [UInt8]
    private let maximumChain: Int
    /// `head[h]` is 1 + the latest inserted position whose prefix hashes to `h` (0: none).
    private var head: [Int32]
    /// `previous[p mod window]` is 1 + the inserted position before `p` with the same hash (0: none).
    private var previous: [Int32]

    init(bytes: [UInt8], maximumChain: Int) {
        self.bytes = bytes
        self.maximumChain = maximumChain
        head = [Int32](repeating: 0, count: 1 << Self.hashBits)
        previous = [Int32](repeating: 0, count: Self.window)
    }

    /// Records `position` as a match candidate for later positions.
    mutating func insert(_ position: Int) {
        guard position + Self.minimumLength <= bytes.count else { return }
        let hash = prefixHash(at: position)
        previous[position % Self.window] = head[hash]
        head[hash] = Int32(position + 1)
    }

    /// The longest match of length ≥ 3 for the bytes at `position` among inserted positions at
    /// distance ≤ 32768, nearest first on ties; nil when there is none.
    func longestMatch(at position: Int) -> (length: Int, distance: Int)? {
        guard position + Self.minimumLength <= bytes.count else { return nil }
        let limit = min(Self.maximumLength, bytes.count - position)
        var best: (length: Int, distance: Int)?
        var candidate = Int(head[prefixHash(at: position)]) - 1
        var remaining = maximumChain
        while candidate >= 0, position - candidate <= Self.window, remaining > 0 {
            var length = 0
            while length < limit && bytes[candidate + length] == bytes[position + length] {
                length += 1
            }
            if length >= Self.minimumLength && length > (best?.length ?? 0) {
                best = (length, position - candidate)
                if length == limit { break }
            }
            let next = Int(previous[candidate % Self.window]) - 1
            guard next < candidate else { break }
            candidate = next
            remaining -= 1
        }
        return best
    }

    private func prefixHash(at position: Int) -> Int {
        let value = UInt32(bytes[position]) << 16 | UInt32(bytes[position + 1]) << 8 | UInt32(bytes[position + 2])
        return Int((value &* 2_654_435_761) >> UInt32(32 - Self.hashBits))
    }
}
