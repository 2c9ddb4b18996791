import Testing
import TestSupport
@testable import STCore

/// Runs an op with shapes it rejects inside `Graph.forward`, where users meet the error.
enum ShapeErrorProbe {
    static let node = "layer4.1.probe"

    /// Records an issue unless a forward pass of a one-node graph named `node` throws
    /// `STError.shape` whose description names the node. The graph is assembled without
    /// `GraphBuilder.build`, whose shape inference would reject it before the forward pass.
    static func expectError(_ op: any Op, inputs: [Tensor], sourceLocation: SourceLocation = #_sourceLocation) {
        let names = inputs.indices.map { "x\($0)" }
        let graph = Graph(inputs: zip(names, inputs).map { ($0, $1.shape) },
                          nodes: [Node(name: node, op: op, inputs: names)], output: node,
                          parameters: [:], buffers: [:], aliases: [:])
        let error = TestSupport.expectError(.shape, about: node, sourceLocation: sourceLocation) {
            try graph.forward(Dictionary(uniqueKeysWithValues: zip(names, inputs))).output
        }
        if let error { #expect(error.description.hasPrefix(node), "\(error)", sourceLocation: sourceLocation) }
    }
}

@Suite struct ShapeOpTests {
    // MARK: Concat

    static let concatCases: [(shapes: [[Int]], axis: Int)] = [
        ([[2, 3, 4], [2, 1, 4], [2, 5, 4]], 1),
        ([[2, 3], [2, 4]], -1),
        ([[1, 3, 2, 2], [2, 3, 2, 2]], 0),
        ([[2, 3, 5, 1], [2, 3, 5, 2], [2, 3, 5, 3]], -1),
    ]

    static func inputs(_ shapes: [[Int]], seed: UInt64) -> [Tensor] {
        shapes.enumerated().map { Tensor.randomNormal(shape: $1, seed: seed + UInt64($0)) }
    }

    @Test(arguments: concatCases.indices)
    func concatMatchesTheReference(index: Int) throws {
        let (shapes, axis) = Self.concatCases[index]
        let xs = Self.inputs(shapes, seed: 20)
        expectClose(try OpHarness(Concat(axis: axis), inputs: xs).forward().plain(),
                    Reference.concat(xs, axis: axis), .normwise(1e-6))
    }

    @Test(arguments: concatCases.indices)
    func concatBackwardSlicesTheGradientPerInput(index: Int) throws {
        let (shapes, axis) = Self.concatCases[index]
        try OpHarness(Concat(axis: axis), inputs: Self.inputs(shapes, seed: 24)).checkGradients(tolerance: 1e-3)
    }

    @Test func concatOfShapesThatDisagreeOffTheAxisThrowsNamingTheNode() {
        ShapeErrorProbe.expectError(Concat(axis: 1), inputs: [Tensor(zeros: [2, 3, 4]), Tensor(zeros: [2, 3, 5])])
        ShapeErrorProbe.expectError(Concat(axis: 0), inputs: [Tensor(zeros: [2, 3]), Tensor(zeros: [2, 3, 1])])
        ShapeErrorProbe.expectError(Concat(axis: 3), inputs: [Tensor(zeros: [2, 3]), Tensor(zeros: [2, 3])])
    }

    // MARK: Reshape and Flatten

    @Test func reshapeCopiesDimensionsForZeroAndInfersMinusOne() throws {
        // [2, 3, 4] has 24 elements: [0, −1] → [2, 24/2]; [−1, 0, 2, 2] → [24/(3·2·2), 3, 2, 2].
        #expect(try Reshape([0, -1]).outputShape(inputs: [[2, 3, 4]], parameters: []) == [2, 12])
        #expect(try Reshape([-1, 0, 2, 2]).outputShape(inputs: [[2, 3, 4]], parameters: []) == [2, 3, 2, 2])
        #expect(try Reshape([4, 3, 2]).outputShape(inputs: [[2, 3, 4]], parameters: []) == [4, 3, 2])
    }

    @Test(arguments: [([2, 3, 4], [0, -1]), ([2, 3, 4], [-1, 0, 2, 2]), ([3, 5, 2], [5, 6]), ([2, 6], [-1])])
    func reshapeKeepsTheRowMajorElementsAndItsBackwardReshapesBack(shape: [Int], target: [Int]) throws {
        let x = Tensor.randomNormal(shape: shape, seed: 30)
        let harness = OpHarness(Reshape(target), inputs: [x])
        let y = try harness.forward()
        #expect(y.shape == (try Reshape(target).outputShape(inputs: [shape], parameters: [])))
        #expect(y.scalars == x.scalars)
        try harness.checkGradients(tolerance: 1e-3)
    }

    @Test func reshapeToAWrongElementCountThrowsNamingTheNode() {
        ShapeErrorProbe.expectError(Reshape([5, 5]), inputs: [Tensor(zeros: [2, 12])])
        ShapeErrorProbe.expectError(Reshape([-1, 5]), inputs: [Tensor(zeros: [2, 12])])
        ShapeErrorProbe.expectError(Reshape([-1, -1]), inputs: [Tensor(zeros: [2, 12])])
        ShapeErrorProbe.expectError(Reshape([0, 0, 0]), inputs: [Tensor(zeros: [2, 12])])
        ShapeErrorProbe.expectError(Reshape([-2, -12]), inputs: [Tensor(zeros: [2, 12])])
    }

    @Test func flattenMergesTheAxesFromStartToEnd() throws {
        let op = { (start: Int, end: Int) in Flatten(startDim: start, endDim: end) }
        #expect(try op(1, -1).outputShape(inputs: [[2, 3, 4, 5]], parameters: []) == [2, 60])
        #expect(try op(1, 2).outputShape(inputs: [[2, 3, 4, 5]], parameters: []) == [2, 12, 5])
        #expect(try op(-2, -1).outputShape(inputs: [[2, 3, 4, 5]], parameters: []) == [2, 3, 20])
        #expect(try op(0, -1).outputShape(inputs: [[2, 3, 4, 5]], parameters: []) == [120])
        #expect(try op(2, 2).outputShape(inputs: [[2, 3, 4, 5]], parameters: []) == [2, 3, 4, 5])
        #expect(try op(0, -1).outputShape(inputs: [[]], parameters: []) == [1])
    }

    @Test func flattenKeepsTheElementsAndItsBackwardReshapesBack() throws {
        let x = Tensor.randomNormal(shape: [2, 3, 4, 5], seed: 31)
        let harness = OpHarness(Flatten(startDim: 1), inputs: [x])
        let y = try harness.forward()
        #expect(y.shape == [2, 60])
        #expect(y.scalars == x.scalars)
        try OpHarness(Flatten(startDim: 1, endDim: 2), inputs: [Tensor.randomNormal(shape: [2, 3, 2, 3], seed: 32)])
            .checkGradients(tolerance: 1e-3)
    }

    @Test func flattenWithStartAfterEndThrowsNamingTheNode() {
        ShapeErrorProbe.expectError(Flatten(startDim: 2, endDim: 1), inputs: [Tensor(zeros: [2, 3, 4])])
        ShapeErrorProbe.expectError(Flatten(startDim: 3), inputs: [Tensor(zeros: [2, 3, 4])])
    }

    // MARK: Permute

    static let permuteCases: [(shape: [Int], order: [Int])] = [
        ([2, 3, 4, 5], [0, 2, 3, 1]),
        ([3, 5, 2], [-1, 0, 1]),
        ([2, 3, 4, 3, 2], [0, 2, 1, 4, 3]),
        ([7, 3], [1, 0]),
        // Size-1 axes dropped and neighbouring runs merged before oneDNN sees the permutation:
        // a 2-D transpose, a pure reshape, and nothing left at all.
        ([1, 2, 3, 4], [3, 1, 2, 0]),
        ([2, 1, 3], [1, 0, 2]),
        ([1, 1, 1], [2, 0, 1]),
    ]

    @Test(arguments: permuteCases.indices)
    func permuteMatchesTheReference(index: Int) throws {
        let (shape, order) = Self.permuteCases[index]
        let x = Tensor.randomNormal(shape: shape, seed: 40)
        expectClose(try OpHarness(Permute(order), inputs: [x]).forward().plain(),
                    Reference.permute(x, order), .normwise(1e-6))
    }

    @Test(arguments: permuteCases.indices)
    func permuteBackwardAppliesTheInversePermutation(index: Int) throws {
        let (shape, order) = Self.permuteCases[index]
        try OpHarness(Permute(order), inputs: [Tensor.randomNormal(shape: shape, seed: 41)]).checkGradients(tolerance: 1e-3)
    }

    @Test func permuteWithAnOrderThatIsNoPermutationThrowsNamingTheNode() {
        ShapeErrorProbe.expectError(Permute([0, 0, 1]), inputs: [Tensor(zeros: [2, 3, 4])])
        ShapeErrorProbe.expectError(Permute([1, 0]), inputs: [Tensor(zeros: [2, 3, 4])])
    }

    // MARK: Mean

    static let meanCases: [(shape: [Int], axes: [Int], keepDims: Bool)] = [
        ([2, 3, 4, 5], [2, 3], true),
        ([2, 3, 4, 5], [2, 3], false),
        ([2, 3, 5], [-1], false),
        ([3, 4, 5], [0, 2], true),
        ([2, 3, 4, 3, 5], [2, 3, 4], false),
        ([3, 7], [], false),
    ]

    @Test(arguments: meanCases.indices)
    func meanMatchesTheReference(index: Int) throws {
        let (shape, axes, keepDims) = Self.meanCases[index]
        let x = Tensor.randomNormal(shape: shape, seed: 50)
        // An empty list reduces every axis; the reference wants them listed.
        let expected = Reference.mean(x, axes: axes.isEmpty ? Array(shape.indices) : axes, keepDims: keepDims)
        expectClose(try OpHarness(Mean(axes: axes, keepDims: keepDims), inputs: [x]).forward().plain(),
                    expected, .normwise(1e-4))
    }

    @Test(arguments: meanCases.indices)
    func meanBackwardBroadcastsTheGradientDividedByTheCount(index: Int) throws {
        let (shape, axes, keepDims) = Self.meanCases[index]
        try OpHarness(Mean(axes: axes, keepDims: keepDims), inputs: [Tensor.randomNormal(shape: shape, seed: 51)])
            .checkGradients(tolerance: 1e-3)
    }

    @Test func meanOverARepeatedOrMissingAxisThrowsNamingTheNode() {
        ShapeErrorProbe.expectError(Mean(axes: [1, -2]), inputs: [Tensor(zeros: [2, 3, 4])])
        ShapeErrorProbe.expectError(Mean(axes: [3]), inputs: [Tensor(zeros: [2, 3, 4])])
    }

    // MARK: Slice

    /// Slices of an axis of size 5 (or 4 along the last axis) and the positions they select,
    /// resolved by hand with PyTorch's rules.
    static let sliceCases: [(slice: Slice, indices: [Int])] = [
        (Slice(axis: 1, start: 1, end: 4, step: 2), [1, 3]),              // 1:4:2
        (Slice(axis: 1, start: -3), [2, 3, 4]),                            // −3 → 2, to the end
        (Slice(axis: 1, start: -10, end: 100, step: 3), [0, 3]),          // clamped to 0:5:3
        (Slice(axis: 1, start: 0, end: -1), [0, 1, 2, 3]),                 // −1 → 4
        (Slice(axis: -1, start: 3, end: 4), [3]),                          // size 4, x[..., 3:4]
        (Slice(axis: 0, start: 1), [1]),                                   // size 2, x[1:]
    ]

    @Test(arguments: sliceCases.indices)
    func sliceSelectsThePositionsPyTorchSelects(index: Int) throws {
        let (slice, indices) = Self.sliceCases[index]
        let x = Tensor.randomNormal(shape: [2, 5, 4], seed: 60)
        let axis = slice.axis < 0 ? slice.axis + 3 : slice.axis
        expectClose(try OpHarness(slice, inputs: [x]).forward().plain(),
                    Reference.indexSelect(x, axis: axis, indices: indices), .normwise(0))
    }

    @Test(arguments: sliceCases.indices)
    func sliceBackwardScattersTheGradientIntoZeros(index: Int) throws {
        try OpHarness(Self.sliceCases[index].slice, inputs: [Tensor.randomNormal(shape: [2, 5, 4], seed: 61)])
            .checkGradients(tolerance: 1e-3)
    }

    @Test func lastTimeStepSelectionIsASliceFollowedByAReshape() throws {
        // x[:, -1] of a [2, 5, 4] tensor is [2, 4]; its gradient is w at time step 4, zero elsewhere.
        let x = Tensor.randomNormal(shape: [2, 5, 4], seed: 62)
        var builder = GraphBuilder(input: "x", shape: x.shape)
        let last = try builder.add("last", Slice(axis: 1, start: -1), inputs: ["x"])
        let squeezed = try builder.add("squeeze", Reshape([0, -1]), inputs: [last])
        let trace = try builder.build(output: squeezed).forward(x)
        let expected = Reference.indexSelect(x, axis: 1, indices: [4]).reshaped([2, 4])
        expectClose(trace.output.plain(), expected, .normwise(0))
        let w = Tensor.randomNormal(shape: [2, 4], seed: 63)
        let gradient = try trace.gradient(of: .weighted(by: w), at: ["x"])["x"]!
        var expectedGradient = [Float](repeating: 0, count: 40)
        for n in 0..<2 { for c in 0..<4 { expectedGradient[n * 20 + 4 * 4 + c] = w[n, c] } }
        expectClose(gradient.plain(), Tensor(shape: [2, 5, 4], scalars: expectedGradient), .normwise(0))
    }

    @Test func emptyOrMisdirectedSlicesThrowNamingTheNode() {
        ShapeErrorProbe.expectError(Slice(axis: 1, start: 3, end: 3), inputs: [Tensor(zeros: [2, 5])])
        ShapeErrorProbe.expectError(Slice(axis: 1, start: 7), inputs: [Tensor(zeros: [2, 5])])
        ShapeErrorProbe.expectError(Slice(axis: 2, start: 0), inputs: [Tensor(zeros: [2, 5])])
        ShapeErrorProbe.expectError(Slice(axis: 1, start: 0, end: 5, step: 0), inputs: [Tensor(zeros: [2, 5])])
    }
}
