import Testing
@testable import STCore

@Suite struct TensorTests {
    @Test func copyOnWriteLeavesTheOriginalUntouched() {
        let original = Tensor(shape: [2, 2], scalars: [1, 2, 3, 4])
        var copy = original
        #expect(copy.sharesStorage(with: original))
        copy.withUnsafeMutableBufferPointer { $0[0] = 10 }
        #expect(!copy.sharesStorage(with: original))
        #expect(original.scalars == [1, 2, 3, 4])
        #expect(copy.scalars == [10, 2, 3, 4])
    }

    @Test func rowMajorSubscriptFollowsPyTorchOrder() {
        let x = Tensor(shape: [2, 3], scalars: [0, 1, 2, 3, 4, 5])
        #expect(x[1, 2] == 5)
        #expect(x[0, 1] == 1)
    }

    @Test func randomTensorsAreReproducibleFromTheSeed() {
        let a = Tensor.randomNormal(shape: [100], seed: 7)
        let b = Tensor.randomNormal(shape: [100], seed: 7)
        #expect(a == b)
        let mean = a.scalars.reduce(0, +) / 100
        #expect(abs(mean) < 0.3)
    }
}
