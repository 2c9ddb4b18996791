import Testing
import TestSupport
@testable import STCore

@Suite struct IndexSelectTests {
    /// Reversed, repeated, unordered and single indices along first, middle and last axes.
    static let cases: [(shape: [Int], axis: Int, indices: [Int])] = [
        ([2, 5, 4], 1, [4, 0, 0, 2]),
        ([3, 4], -1, [3, 2, 1, 0]),
        ([4, 2, 3], 0, [1, 1, 1]),
        ([2, 3, 2, 2], 2, [1, 0]),
        ([2, 6, 3], 1, [5]),
    ]

    @Test(arguments: cases.indices)
    func indexSelectMatchesTheReference(index: Int) throws {
        let (shape, axis, indices) = Self.cases[index]
        let x = Tensor.randomNormal(shape: shape, seed: 90 + UInt64(index))
        expectClose(try OpHarness(IndexSelect(axis: axis, indices: indices), inputs: [x]).forward().plain(),
                    Reference.indexSelect(x, axis: axis, indices: indices), .normwise(0))
    }

    @Test(arguments: cases.indices)
    func indexSelectBackwardMatchesFiniteDifferences(index: Int) throws {
        let (shape, axis, indices) = Self.cases[index]
        try OpHarness(IndexSelect(axis: axis, indices: indices), inputs: [Tensor.randomNormal(shape: shape, seed: 95 + UInt64(index))])
            .checkGradients(tolerance: 1e-3)
    }

    /// x = [1, 2, 3] picked at [2, 0, 2] is [3, 1, 3]; g = [1, 2, 3] adds 1 + 3 onto position 2,
    /// 2 onto position 0 and nothing onto position 1: [2, 0, 4].
    @Test func repeatedIndicesAddTheirGradients() throws {
        let x = Tensor(shape: [1, 3], scalars: [1, 2, 3])
        var builder = GraphBuilder(input: "x", shape: x.shape)
        try builder.add("pick", IndexSelect(axis: 1, indices: [2, 0, 2]), inputs: ["x"])
        let trace = try builder.build(output: "pick").forward(x)
        #expect(trace.output.scalars == [3, 1, 3])
        let gradient = try trace.gradient(of: .weighted(by: Tensor(shape: [1, 3], scalars: [1, 2, 3])), at: ["x"])["x"]!
        #expect(gradient.scalars == [2, 0, 4])
    }

    @Test func indicesOutsideTheAxisOrNoneThrowNamingTheNode() {
        ShapeErrorProbe.expectError(IndexSelect(axis: 1, indices: [0, 3]), inputs: [Tensor(zeros: [2, 3])])
        ShapeErrorProbe.expectError(IndexSelect(axis: 1, indices: [-1]), inputs: [Tensor(zeros: [2, 3])])
        ShapeErrorProbe.expectError(IndexSelect(axis: 1, indices: []), inputs: [Tensor(zeros: [2, 3])])
        ShapeErrorProbe.expectError(IndexSelect(axis: 2, indices: [0]), inputs: [Tensor(zeros: [2, 3])])
    }
}

/// `ScatterRows` (run-time ScatterND): rows of data replaced by update rows, the last update of a
/// row winning, with its backward checked by finite differences.
@Suite struct ScatterRowsTests {
    /// data rows [1, 2], [3, 4], [5, 6]; updates [7, 8] → row 2, [9, 10] → row 0, [11, 12] → row 2
    /// (wins over [7, 8]): [[9, 10], [3, 4], [11, 12]].
    @Test func laterUpdatesOfARowWin() throws {
        let data = Tensor(shape: [3, 2], scalars: [1, 2, 3, 4, 5, 6])
        let updates = Tensor(shape: [3, 2], scalars: [7, 8, 9, 10, 11, 12])
        let harness = OpHarness(ScatterRows(rows: [2, 0, 2]), inputs: [data, updates])
        #expect(try harness.forward().scalars == [9, 10, 3, 4, 11, 12])
    }

    /// ∂L/∂data is g on the surviving row 1 and 0 on rows 0 and 2; ∂L/∂updates is g of rows 2
    /// and 0 for the winners and 0 for the overwritten first update — as finite differences say.
    @Test func backwardSendsEachRowsGradientToTheRowThatWroteIt() throws {
        let harness = OpHarness(ScatterRows(rows: [2, 0, 2]), inputs: [Tensor.randomNormal(shape: [3, 4], seed: 1),
                                                                      Tensor.randomNormal(shape: [3, 4], seed: 2)])
        try harness.checkGradients(tolerance: 1e-3)
    }

    @Test func aRowOutsideTheDataIsAShapeError() {
        expectError(.shape, mentioning: "rows are not all in 0..<3") {
            try ScatterRows(rows: [3]).outputShape(inputs: [[3, 2], [1, 2]], parameters: [])
        }
    }
}

/// `BlockAdd` (PyTorch's in-place `x[..., a:, b:] += r`): against the reference, with its
/// backward checked by finite differences.
@Suite struct BlockAddTests {
    /// x = [[1, 2, 3], [4, 5, 6], [7, 8, 9]], r = [[10, 20], [30, 40]] at (1, 1):
    /// [[1, 2, 3], [4, 15, 26], [7, 38, 49]].
    @Test func addsIntoTheBlockOnly() throws {
        let x = Tensor(shape: [3, 3], scalars: [1, 2, 3, 4, 5, 6, 7, 8, 9])
        let r = Tensor(shape: [2, 2], scalars: [10, 20, 30, 40])
        #expect(try OpHarness(BlockAdd(offsets: [1, 1]), inputs: [x, r]).forward().scalars == [1, 2, 3, 4, 15, 26, 7, 38, 49])
    }

    /// MViT v2's shapes in small: a (1, 2, 9, 5) attention map, the relative positions added
    /// from (0, 0, 1, 1) or the residual from (0, 0, 1, 0), and a block inside every axis.
    @Test(arguments: [([1, 2, 9, 5], [0, 0, 1, 1], [1, 2, 8, 4]), ([1, 2, 9, 5], [0, 0, 1, 0], [1, 2, 8, 5]),
                      ([2, 3, 4, 5], [1, 1, 2, 3], [1, 2, 2, 2])])
    func matchesTheReference(shape: [Int], offsets: [Int], block: [Int]) throws {
        let x = Tensor.randomNormal(shape: shape, seed: 5)
        let r = Tensor.randomNormal(shape: block, seed: 6)
        let output = try OpHarness(BlockAdd(offsets: offsets), inputs: [x, r]).forward()
        #expect(output.scalars == Reference.blockAdd(x, r, offsets: offsets).scalars)
    }

    /// ∂L/∂x = g everywhere, ∂L/∂r = g over the block — as finite differences say.
    @Test func backwardMatchesFiniteDifferences() throws {
        let harness = OpHarness(BlockAdd(offsets: [0, 1, 2]), inputs: [Tensor.randomNormal(shape: [2, 3, 4], seed: 7),
                                                                       Tensor.randomNormal(shape: [2, 2, 2], seed: 8)])
        try harness.checkGradients(tolerance: 1e-3)
    }

    @Test func aBlockThatDoesNotFitIsAShapeError() {
        expectError(.shape, mentioning: "the block does not fit") {
            try BlockAdd(offsets: [1, 2]).outputShape(inputs: [[3, 3], [2, 2]], parameters: [])
        }
    }
}

/// `Select` (ONNX `Where` with a constant mask): the choice, broadcasting, a −∞ fill kept as it is
/// (no NaN), and the backward checked by finite differences.
@Suite struct SelectTests {
    /// mask [[1, 0, 1]] over x = [[1, 2, 3], [4, 5, 6]] and a fill −∞:
    /// [[1, −∞, 3], [4, −∞, 6]].
    @Test func chosenElementsAndAnInfiniteFill() throws {
        let x = Tensor(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 6])
        let fill = Tensor(shape: [1], scalars: [-.infinity])
        let harness = OpHarness(Select(mask: Tensor(shape: [1, 3], scalars: [1, 0, 1])), inputs: [x, fill])
        #expect(try harness.forward().scalars == [1, -.infinity, 3, 4, -.infinity, 6])
    }

    /// ∂L/∂x is g where the mask holds, ∂L/∂z the rest summed over z's broadcast axis.
    @Test func backwardMatchesFiniteDifferences() throws {
        let harness = OpHarness(Select(mask: Tensor(shape: [3, 1], scalars: [1, 0, 1])),
                                inputs: [Tensor.randomNormal(shape: [3, 4], seed: 3), Tensor.randomNormal(shape: [1, 4], seed: 4)])
        try harness.checkGradients(tolerance: 1e-3)
    }
}
