import Foundation

/// Folded weights by the identity and version of the tensors they came from, so that repeated
/// forward passes reuse one folded tensor (and oneDNN's reordered copy of it).
final class FoldedWeightCache: @unchecked Sendable {
    static let shared = FoldedWeightCache()

    private struct Entry {
        let sources: [TensorStorage]
        let versions: [Int]
        let weight: Tensor
        let bias: Tensor
    }

    private let lock = NSLock()
    private var entries: [ObjectIdentifier: Entry] = [:]

    func folded(sources: [Tensor], compute: () -> (weight: Tensor, bias: Tensor)) -> (weight: Tensor, bias: Tensor) {
        lock.lock()
        defer { lock.unlock() }
        let key = ObjectIdentifier(sources[0].storage)
        if let entry = entries[key], entry.sources.count == sources.count,
           zip(entry.sources, sources).allSatisfy({ $0 === $1.storage }),
           entry.versions == sources.map(\.storage.version) {
            return (entry.weight, entry.bias)
        }
        let (weight, bias) = compute()
        if entries.count > 1024 { entries.removeAll() }
        entries[key] = Entry(sources: sources.map(\.storage), versions: sources.map(\.storage.version),
                             weight: weight, bias: bias)
        return (weight, bias)
    }
}
