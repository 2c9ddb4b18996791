import Testing
import TestSupport
@testable import STCore

@Suite struct PadTests {
    /// Shapes, amounts and modes: unequal begin/end, batch and channel axes, zero amounts, pads
    /// larger than the axis (constant, edge), reflect pads up to size − 1.
    static let cases: [(shape: [Int], begin: [Int], end: [Int], mode: PadMode)] = [
        ([2, 3, 4, 5], [0, 0, 1, 2], [0, 0, 2, 0], .constant(0)),
        ([2, 3, 5], [1, 0, 2], [0, 2, 1], .constant(-1.5)),
        ([1, 2, 2, 3], [0, 0, 5, 0], [0, 0, 0, 4], .constant(0.25)),
        ([1, 2, 4, 5], [0, 0, 3, 1], [0, 0, 2, 4], .reflect),
        ([2, 3, 3, 4, 4], [0, 0, 1, 2, 0], [0, 2, 2, 3, 1], .reflect),
        ([2, 2, 3, 3], [0, 0, 4, 1], [0, 0, 0, 5], .edge),
        ([3, 1, 2], [2, 1, 1], [1, 3, 0], .edge),
        ([2, 3], [0, 0], [0, 0], .reflect),
    ]

    @Test(arguments: cases.indices)
    func padMatchesTheReference(index: Int) throws {
        let (shape, begin, end, mode) = Self.cases[index]
        let x = Tensor.randomNormal(shape: shape, seed: 70 + UInt64(index))
        let op = Pad(begin: begin, end: end, mode: mode)
        expectClose(try OpHarness(op, inputs: [x]).forward().plain(),
                    Reference.pad(x, begin: begin, end: end, mode: mode), .normwise(0))
    }

    @Test(arguments: cases.indices)
    func padBackwardMatchesFiniteDifferences(index: Int) throws {
        let (shape, begin, end, mode) = Self.cases[index]
        try OpHarness(Pad(begin: begin, end: end, mode: mode), inputs: [Tensor.randomNormal(shape: shape, seed: 80 + UInt64(index))])
            .checkGradients(tolerance: 1e-3)
    }

    /// [1, 2, 3] padded by 2 on both sides: reflect [3, 2, 1, 2, 3, 2, 1], edge
    /// [1, 1, 1, 2, 3, 3, 3], constant 9 [9, 9, 1, 2, 3, 9, 9]. With g = 1 everywhere the gradient
    /// counts each input's copies: reflect (2, 3, 2), edge (3, 1, 3), constant (1, 1, 1).
    @Test(arguments: [
        (PadMode.reflect, [3, 2, 1, 2, 3, 2, 1], [2, 3, 2]),
        (PadMode.edge, [1, 1, 1, 2, 3, 3, 3], [3, 1, 3]),
        (PadMode.constant(9), [9, 9, 1, 2, 3, 9, 9], [1, 1, 1]),
    ] as [(PadMode, [Float], [Float])])
    func padOfAShortRowByHand(mode: PadMode, padded: [Float], copies: [Float]) throws {
        let x = Tensor(shape: [1, 3], scalars: [1, 2, 3])
        var builder = GraphBuilder(input: "x", shape: x.shape)
        try builder.add("pad", Pad(begin: [0, 2], end: [0, 2], mode: mode), inputs: ["x"])
        let trace = try builder.build(output: "pad").forward(x)
        #expect(trace.output.scalars == padded)
        let gradient = try trace.gradient(of: .weighted(by: Tensor(repeating: 1, shape: [1, 7])), at: ["x"])["x"]!
        #expect(gradient.scalars == copies)
    }

    @Test func badAmountsThrowNamingTheNode() {
        ShapeErrorProbe.expectError(Pad(begin: [0, 1], end: [0, 1]), inputs: [Tensor(zeros: [2, 3, 4])])
        ShapeErrorProbe.expectError(Pad(begin: [0, -1], end: [0, 1]), inputs: [Tensor(zeros: [2, 3])])
        ShapeErrorProbe.expectError(Pad(begin: [0, 3], end: [0, 0], mode: .reflect), inputs: [Tensor(zeros: [2, 3])])
        ShapeErrorProbe.expectError(Pad(begin: [0, 0], end: [0, 1], mode: .reflect), inputs: [Tensor(zeros: [2, 1])])
    }
}
