import Testing
import TestSupport
@testable import STCore

@Suite struct ResampleTests {
    /// Input shapes (N × C × spatial…) and output spatial sizes: 1-, 2- and 3-D, up and down,
    /// odd sizes and mixed directions.
    static let cases: [(input: [Int], size: [Int])] = [
        ([2, 3, 5], [13]),
        ([2, 3, 11], [4]),
        ([1, 2, 4, 4], [3, 2]),
        ([2, 3, 5, 6], [9, 11]),
        ([1, 2, 5, 4], [8, 3]),
        ([1, 2, 2, 3, 5], [7, 9, 11]),
        ([1, 2, 6, 7, 8], [3, 4, 5]),
        ([1, 1, 1, 3], [4, 1]),
    ]

    @Test func upsamplingTwoPointsToFourMatchesTheHandDerivedValues() throws {
        // in = 2, out = 4, in/out = ½; s = max(0, (o + ½)·½ − ½):
        //   o = 0: s = max(0, −¼) = 0           → x[0] = 0
        //   o = 1: s = ¼, i₀ = 0, i₁ = 1, λ = ¼  → ¾·0 + ¼·1 = 0.25
        //   o = 2: s = ¾, i₀ = 0, i₁ = 1, λ = ¾  → 0.75
        //   o = 3: s = 5/4, i₀ = 1, i₁ = min(2, 1) = 1 → x[1] = 1
        let y = try Resampling.linear(Tensor(shape: [1, 1, 2], scalars: [0, 1]), to: [4])
        #expect(y.shape == [1, 1, 4])
        #expect(y.scalars == [0, 0.25, 0.75, 1])
    }

    @Test func downsamplingByTwoAveragesNeighbouringPairs() throws {
        // in = 4, out = 2, in/out = 2; s = (o + ½)·2 − ½ = 2o + ½: the midpoint of x[2o] and x[2o + 1].
        let y = try Resampling.linear(Tensor(shape: [1, 2, 4], scalars: [0, 1, 2, 3, 10, 30, 50, 70]), to: [2])
        #expect(y.shape == [1, 2, 2])
        #expect(y.scalars == [0.5, 2.5, 20, 60])
    }

    @Test(arguments: cases)
    func agreesWithThePyTorchReference(_ input: [Int], _ size: [Int]) throws {
        let x = Tensor.randomUniform(shape: input, seed: 41)
        let y = try Resampling.linear(x, to: size)
        let expected = Reference.linearInterpolate(x, size: size)
        #expect(y.format == .plain)
        expectClose(y, expected, .absolute(1e-5))
    }

    @Test(arguments: [[2, 3, 7], [1, 2, 5, 6], [1, 2, 3, 4, 5]])
    func sizeEqualToTheInputCopiesIt(_ input: [Int]) throws {
        // in = out gives s = o, λ = 0: every output point is its input point.
        let x = Tensor.randomNormal(shape: input, seed: 5)
        let y = try Resampling.linear(x, to: Array(input.dropFirst(2)))
        #expect(y == x)
    }

    @Test(arguments: [MemoryFormat.channelBlocked(16), .channelBlocked(8), .channelsLast])
    func blockedAndChannelsLastInputsGiveThePlainResult(_ format: MemoryFormat) throws {
        let x = Tensor.randomUniform(shape: [2, 5, 3, 4, 6], seed: 17)
        let y = try Resampling.linear(DNNL.reorder(x, to: format), to: [5, 2, 9])
        #expect(y.format == .plain)
        #expect(y == (try Resampling.linear(x, to: [5, 2, 9])))
    }

    @Test func emptyBatchGivesAnEmptyResult() throws {
        let y = try Resampling.linear(Tensor(zeros: [0, 3, 4, 4]), to: [8, 2])
        #expect(y.shape == [0, 3, 8, 2])
    }

    @Test(arguments: [
        ([3, 4], [8]),
        ([1, 2, 3, 4, 5, 6], [2, 2, 2, 2]),
        ([1, 2, 4, 4], [8]),
        ([1, 2, 4], [0]),
        ([1, 2, 0, 4], [3, 3]),
    ] as [([Int], [Int])])
    func unsupportedShapesAreShapeErrorsAtTheResamplingNode(_ input: [Int], _ size: [Int]) {
        guard case .shape(_, let reason)? = expectError(.shape, about: "resampling", performing: {
            try Resampling.linear(Tensor(zeros: input), to: size)
        }) else { return }
        #expect(reason.contains("\(input)") || reason.contains("\(size)"), "reason: \(reason)")
    }
}
