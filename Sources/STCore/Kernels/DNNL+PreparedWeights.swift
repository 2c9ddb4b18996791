import CDNNL

extension DNNL {
    /// Weights reordered for one primitive, tagged with the source's version. The source is held
    /// weakly: transient weights (LRP's w⁺ and w⁻) must not be kept alive by the cache.
    struct PreparedWeights {
        weak var source: TensorStorage?
        let version: Int
        /// nil until the second request (`cachedPreparation`).
        let buffer: Buffer?
    }

    /// A tensor made by `Tensor.transformed(by:)`: f of `source` as it was at `sourceVersion`.
    struct Derivation {
        weak var derived: TensorStorage?
        let derivedVersion: Int
        let source: Tensor
        let sourceVersion: Int
        let transform: WeightTransform
    }

    /// Remembers that `derived` is `transform` of `source`, for `prepared`.
    static func recordDerivation(_ derived: Tensor, of source: Tensor, by transform: WeightTransform) {
        runtime.withLock {
            runtime.derivations = runtime.derivations.filter { $0.value.derived != nil }
            runtime.derivations[ObjectIdentifier(derived.storage)] = Derivation(
                derived: derived.storage, derivedVersion: derived.storage.version, source: source,
                sourceVersion: source.storage.version, transform: transform)
        }
    }

    /// Weights reordered into `target`, cached while the source tensor is unchanged. A tensor made by
    /// `Tensor.transformed(by:)` is derived from its source's reordered copy instead, and cached
    /// under the source and the transform's name.
    static func prepared(_ weight: Tensor, as target: Desc, sourceDesc: Desc, key: String) throws -> Buffer {
        try runtime.withLock {
            if let derivation = runtime.derivations[ObjectIdentifier(weight.storage)],
               derivation.derived === weight.storage, derivation.derivedVersion == weight.storage.version,
               derivation.source.storage.version == derivation.sourceVersion {
                let source = derivation.source
                return try cachedPreparation(of: source.storage, as: target, key: "\(key)|\(derivation.transform.name)") {
                    let base = try prepared(source, as: target, sourceDesc: sourceDesc, key: key)
                    let storage = TensorStorage(count: base.storage.count)
                    derivation.transform.apply(base.storage.pointer, to: storage.pointer, count: storage.count)
                    return storage
                }
            }
            return try cachedPreparation(of: weight.storage, as: target, key: key) {
                try reorder(weight.plain().storage, from: sourceDesc, to: target)
            }
        }
    }

    /// The prepared buffer for `source` under `key`, made by `make`. It is kept from the second
    /// request on while `source` is unchanged: a weight used once — every layer of a one-shot
    /// forward or backward pass — is prepared, used and released, so a single explanation does
    /// not hold a second and third copy of the model (forward and backward-data layouts) at its
    /// peak; repeated passes (batches, benchmarks, integration steps) reuse the kept copy. Call
    /// with the runtime lock held.
    private static func cachedPreparation(of source: TensorStorage, as target: Desc, key: String,
                                          _ make: () throws -> TensorStorage) rethrows -> Buffer {
        let cacheKey = "\(key)|\(ObjectIdentifier(source))"
        let seen = runtime.preparedWeights[cacheKey].map { $0.source === source && $0.version == source.version } ?? false
        if seen, let buffer = runtime.preparedWeights[cacheKey]?.buffer { return buffer }
        let buffer = Buffer(desc: target, storage: try make())
        runtime.preparedWeights = runtime.preparedWeights.filter { $0.value.source != nil }
        if runtime.preparedWeights.count > 512 { runtime.preparedWeights.removeAll() }
        runtime.preparedWeights[cacheKey] = PreparedWeights(source: source, version: source.version, buffer: seen ? buffer : nil)
        return buffer
    }
}
