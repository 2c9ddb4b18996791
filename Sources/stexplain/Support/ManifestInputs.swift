import STCore

/// The inputs of a manifest run, in order, for `Prefetch`'s loader thread: runs of consecutive
/// videos are decoded `groupSize` at a time by one ffmpeg process (`InputLoading.loadTogether`),
/// everything else — and a group that cannot be decoded together — one by one. Called from one
/// thread only, hence `@unchecked Sendable`.
final class ManifestInputs: @unchecked Sendable {
    private let items: [(loading: InputLoading, path: String)]
    private let groupSize: Int
    private var decoded: [Int: Tensor] = [:]
    /// Inputs below this index are loaded one by one: they belonged to a group that could not be
    /// decoded together, which is not tried again from a later member.
    private var singlyBefore = 0

    init(_ items: [(loading: InputLoading, path: String)], groupSize: Int = 4) {
        self.items = items
        self.groupSize = groupSize
    }

    /// Input `index`; the first of a group decodes the whole group and keeps the others.
    func load(_ index: Int) throws -> Tensor {
        if let tensor = decoded.removeValue(forKey: index) { return tensor }
        let item = items[index]
        let group = (index..<min(index + groupSize, items.count)).prefix { items[$0].loading.decodesTogether(items[$0].path) }
        if index >= singlyBefore, group.count > 1 {
            if let tensors = try InputLoading.loadTogether(group.map { items[$0] }) {
                for (member, tensor) in zip(group.dropFirst(), tensors.dropFirst()) { decoded[member] = tensor }
                return tensors[0]
            }
            singlyBefore = group.upperBound
        }
        return try item.loading.load(item.path)
    }
}
