import Testing
@testable import STCore

/// `BatchNorm.fold` is cached per identity and version of its six tensors, without keeping them
/// alive.
@Suite struct FoldedWeightCacheTests {
    static func statistics(seed: UInt64) -> [Tensor] {
        [Tensor.randomUniform(shape: [4], in: 0.5...1.5, seed: seed), Tensor.randomNormal(shape: [4], seed: seed + 1),
         Tensor.randomNormal(shape: [4], seed: seed + 2), Tensor.randomUniform(shape: [4], in: 0.5...2, seed: seed + 3)]
    }

    static func fold(_ weight: Tensor, _ s: [Tensor]) -> (weight: Tensor, bias: Tensor) {
        BatchNorm().fold(weight: weight, bias: nil, scale: s[0], shift: s[1], mean: s[2], variance: s[3])
    }

    @Test func repeatedFoldsShareOneTensorUntilASourceChanges() {
        var weight = Tensor.randomNormal(shape: [4, 3, 3, 3], seed: 1)
        let s = Self.statistics(seed: 2)
        let first = Self.fold(weight, s), second = Self.fold(weight, s)
        #expect(first.weight.sharesStorage(with: second.weight))
        weight.withUnsafeMutableBufferPointer { $0[0] += 1 }
        let changed = Self.fold(weight, s)
        #expect(!changed.weight.sharesStorage(with: first.weight))
        #expect(changed.weight[0, 0, 0, 0] != first.weight[0, 0, 0, 0])
    }

    @Test func theCacheDoesNotKeepFreedWeightsAlive() {
        weak var freed: TensorStorage?
        let s = Self.statistics(seed: 3)
        do {
            let transient = Tensor.randomNormal(shape: [4, 3, 3, 3], seed: 4)
            freed = transient.storage
            _ = Self.fold(transient, s)
        }
        _ = Self.fold(Tensor.randomNormal(shape: [4, 3, 3, 3], seed: 5), s)
        #expect(freed == nil)
    }
}
