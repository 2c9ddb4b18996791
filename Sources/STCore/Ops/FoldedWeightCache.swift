import Foundation

/// Folded weights by the identity and version of the tensors they came from, so that repeated
/// forward passes reuse one folded tensor (and oneDNN's reordered copy of it). Sources are held
/// weakly: an entry goes once one of its sources is freed (a replaced or randomised layer), so
/// the cache never keeps old weights alive.
final class FoldedWeightCache: @unchecked Sendable {
    static let shared = FoldedWeightCache()

    private struct Source {
        weak var storage: TensorStorage?
        let version: Int
    }

    private struct Entry {
        let sources: [Source]
        let weight: Tensor
        let bias: Tensor

        var isAlive: Bool { sources.allSatisfy { $0.storage != nil } }

        func matches(_ tensors: [Tensor]) -> Bool {
            sources.count == tensors.count
                && zip(sources, tensors).allSatisfy { $0.storage === $1.storage && $0.version == $1.storage.version }
        }
    }

    private let lock = NSLock()
    private var entries: [ObjectIdentifier: Entry] = [:]

    func folded(sources: [Tensor], compute: () -> (weight: Tensor, bias: Tensor)) -> (weight: Tensor, bias: Tensor) {
        lock.lock()
        defer { lock.unlock() }
        let key = ObjectIdentifier(sources[0].storage)
        if let entry = entries[key], entry.matches(sources) {
            return (entry.weight, entry.bias)
        }
        let (weight, bias) = compute()
        entries = entries.filter { $0.value.isAlive }
        if entries.count > 1024 { entries.removeAll() }
        entries[key] = Entry(sources: sources.map { Source(storage: $0.storage, version: $0.storage.version) },
                             weight: weight, bias: bias)
        return (weight, bias)
    }
}
