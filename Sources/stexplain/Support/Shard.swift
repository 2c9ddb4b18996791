import STCore

/// `--shard i/N`: block i of N contiguous, near-equal blocks of the samples (0-based).
struct Shard {
    let index: Int
    let count: Int

    init(_ text: String) throws {
        let parts = text.split(separator: "/").compactMap { Int($0) }
        guard parts.count == 2, parts[1] >= 1, (0..<parts[1]).contains(parts[0]) else {
            throw STError.invalidRequest("--shard takes 'i/N' with 0 ≤ i < N, got '\(text)'")
        }
        (index, count) = (parts[0], parts[1])
    }

    /// The samples of this shard among `total`.
    func range(of total: Int) -> Range<Int> {
        (index * total / count)..<((index + 1) * total / count)
    }
}
