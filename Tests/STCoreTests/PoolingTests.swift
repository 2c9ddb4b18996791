import Testing
import TestSupport
@testable import STCore

@Suite struct PoolingTests {
    static let maxCases: [(input: [Int], geometry: PoolingGeometry)] = [
        ([2, 3, 9, 7], PoolingGeometry(kernel: [3, 3], stride: [2, 2], padding: [1, 1])),
        ([1, 2, 8, 9], PoolingGeometry(kernel: [3, 2], stride: [2, 3], padding: [1, 0], dilation: [2, 1], ceilMode: true)),
        ([2, 2, 5, 7, 6], PoolingGeometry(kernel: [3, 3, 3], stride: [2, 2, 2], padding: [1, 1, 1], ceilMode: true)),
        ([1, 3, 6, 9, 7], PoolingGeometry(kernel: [1, 3, 3], stride: [1, 2, 2], padding: [0, 1, 1], dilation: [1, 2, 1])),
        ([2, 3, 11], PoolingGeometry(kernel: [4], stride: [3], padding: [2], ceilMode: true)),
        // 10 = 3·3 + 1: the last input row is never covered (oneDNN sees a negative right padding).
        ([1, 2, 10, 10], PoolingGeometry(kernel: [3, 3])),
    ]

    static let averageCases: [(input: [Int], geometry: PoolingGeometry)] = [
        ([2, 3, 9, 7], PoolingGeometry(kernel: [3, 3], stride: [2, 2], padding: [1, 1])),
        // Ceil mode: along the 6-axis the last window [5, 8) runs past input + padding = 7.
        ([1, 2, 6, 7], PoolingGeometry(kernel: [3, 3], stride: [2, 2], padding: [1, 1], ceilMode: true)),
        ([2, 2, 5, 7, 6], PoolingGeometry(kernel: [2, 3, 3], stride: [2, 2, 2], padding: [1, 1, 1], ceilMode: true)),
        ([1, 3, 5, 8], PoolingGeometry(kernel: [2, 2], ceilMode: true)),
        ([2, 3, 11], PoolingGeometry(kernel: [4], stride: [3], padding: [2], ceilMode: true)),
        ([1, 2, 10, 10], PoolingGeometry(kernel: [3, 3])),
        ([1, 2, 7, 5, 9], PoolingGeometry(kernel: [3, 1, 3], stride: [1, 1, 2], padding: [1, 0, 1])),
    ]

    /// Values 0.05 apart in a seeded random order: no two elements of a window are within the
    /// finite-difference step (ε = 0.01) of each other, so the argmax never changes under it.
    static func distinctValues(shape: [Int], seed: UInt64) -> Tensor {
        let noise = Tensor.randomUniform(shape: shape, seed: seed).scalars
        var values = [Float](repeating: 0, count: noise.count)
        for (rank, index) in noise.indices.sorted(by: { noise[$0] < noise[$1] }).enumerated() {
            values[index] = 0.05 * Float(rank) - 0.025 * Float(noise.count)
        }
        return Tensor(shape: shape, scalars: values)
    }

    static func referenceAverage(_ x: Tensor, _ geometry: PoolingGeometry, countIncludePad: Bool) -> Tensor {
        Reference.avgPool(x, kernel: geometry.kernel, stride: geometry.stride, padding: geometry.padding,
                          ceilMode: geometry.ceilMode, countIncludePad: countIncludePad)
    }

    // MARK: Max pooling

    @Test(arguments: maxCases.indices)
    func maxPoolingMatchesTheReference(index: Int) throws {
        let (shape, geometry) = Self.maxCases[index]
        let x = Tensor.randomNormal(shape: shape, seed: 10)
        let expected = Reference.maxPool(x, kernel: geometry.kernel, stride: geometry.stride, padding: geometry.padding,
                                         dilation: geometry.dilation, ceilMode: geometry.ceilMode)
        expectClose(try OpHarness(Pooling(.max, geometry: geometry), inputs: [x]).forward().plain(),
                    expected, .normwise(1e-4))
    }

    @Test(arguments: maxCases.indices)
    func maxPoolingRoutesTheGradientToEachWindowsArgmax(index: Int) throws {
        let (shape, geometry) = Self.maxCases[index]
        try OpHarness(Pooling(.max, geometry: geometry), inputs: [Self.distinctValues(shape: shape, seed: 11)])
            .checkGradients(epsilon: 1e-2, tolerance: 1e-2)
    }

    @Test func maxPoolingTypeNamesFollowPyTorch() {
        #expect(Pooling(.max, geometry: PoolingGeometry(kernel: [3])).typeName == "MaxPool1d")
        #expect(Pooling(.max, geometry: PoolingGeometry(kernel: [3, 3, 3])).typeName == "MaxPool3d")
        #expect(Pooling(.average(countIncludePad: true), geometry: PoolingGeometry(kernel: [2, 2])).typeName == "AvgPool2d")
    }

    // MARK: Average pooling

    @Test(arguments: averageCases.indices, [true, false])
    func averagePoolingMatchesTheReference(index: Int, countIncludePad: Bool) throws {
        let (shape, geometry) = Self.averageCases[index]
        let x = Tensor.randomNormal(shape: shape, seed: 12)
        let op = Pooling(.average(countIncludePad: countIncludePad), geometry: geometry)
        expectClose(try OpHarness(op, inputs: [x]).forward().plain(),
                    Self.referenceAverage(x, geometry, countIncludePad: countIncludePad), .normwise(1e-4))
    }

    @Test(arguments: averageCases.indices, [true, false])
    func averagePoolingBackwardMatchesFiniteDifferences(index: Int, countIncludePad: Bool) throws {
        let (shape, geometry) = Self.averageCases[index]
        try OpHarness(Pooling(.average(countIncludePad: countIncludePad), geometry: geometry),
                      inputs: [Tensor.randomNormal(shape: shape, seed: 13)])
            .checkGradients(tolerance: 1e-3)
    }

    @Test func ceilModeWindowPastThePaddingIsDividedByItsPartInsideInputPlusPadding() throws {
        // x = 1…6, kernel 3, stride 2, padding 1, ceil mode: size ⌈(6 + 2 − 3)/2⌉ + 1 = 4, windows
        // start at −1, 1, 3, 5. PyTorch's divisor clips each window to [−1, 7) (input + padding):
        //   [−1, 2): (0 + 1 + 2)/3 = 1      [1, 4): (2 + 3 + 4)/3 = 3
        //   [3, 6):  (4 + 5 + 6)/3 = 5      [5, 8) → [5, 7): (6 + 0)/2 = 3   (oneDNN's full kernel: 6/3 = 2)
        let x = Tensor(shape: [1, 1, 6], scalars: [1, 2, 3, 4, 5, 6])
        let geometry = PoolingGeometry(kernel: [3], stride: [2], padding: [1], ceilMode: true)
        let y = try OpHarness(Pooling(.average(countIncludePad: true), geometry: geometry), inputs: [x]).forward()
        expectClose(y.plain(), Tensor(shape: [1, 1, 4], scalars: [1, 3, 5, 3]), .normwise(1e-6))
        expectClose(y.plain(), Self.referenceAverage(x, geometry, countIncludePad: true), .normwise(1e-6))
    }

    @Test func divisorCorrectionIsInputCountOverPyTorchsDivisorOnlyWhereAWindowOverruns() {
        // Same windows as above: inside-input counts 2, 3, 3, 1 over PyTorch divisors 3, 3, 3, 2.
        let overrun = Pooling(.average(countIncludePad: true),
                              geometry: PoolingGeometry(kernel: [3], stride: [2], padding: [1], ceilMode: true))
        let factor = overrun.divisorCorrection(inputShape: [1, 1, 6], outputShape: [1, 1, 4])
        #expect(factor?.shape == [1, 1, 4])
        if let factor {
            expectClose(factor, Tensor(shape: [1, 1, 4], scalars: [2 / 3, 1, 1, 1 / 2]), .normwise(1e-6))
        }
        // Input 5: windows start at −1, 1, 3 and the last, [3, 6), ends exactly at input + padding.
        #expect(overrun.divisorCorrection(inputShape: [1, 1, 5], outputShape: [1, 1, 3]) == nil)
        let excluding = Pooling(.average(countIncludePad: false), geometry: overrun.geometry)
        #expect(excluding.divisorCorrection(inputShape: [1, 1, 6], outputShape: [1, 1, 4]) == nil)
    }

    @Test func ceilModeCorrectionMatchesTheReferenceIn3DWithBatchAndChannels() throws {
        // Kernel 3, stride 2, padding 1, ceil mode on even sizes s ∈ {4, 6, 8}: the last window
        // starts at s − 1 and would end at s + 2, past input + padding = s + 1, along every axis.
        let geometry = PoolingGeometry(kernel: [3, 3, 3], stride: [2, 2, 2], padding: [1, 1, 1], ceilMode: true)
        let x = Tensor.randomNormal(shape: [2, 3, 4, 6, 8], seed: 14)
        let op = Pooling(.average(countIncludePad: true), geometry: geometry)
        #expect(op.divisorCorrection(inputShape: x.shape, outputShape: try op.outputShape(inputs: [x.shape], parameters: [])) != nil)
        let harness = OpHarness(op, inputs: [x])
        expectClose(try harness.forward().plain(),
                    Self.referenceAverage(x, geometry, countIncludePad: true), .normwise(1e-4))
        try OpHarness(op, inputs: [Tensor.randomNormal(shape: [1, 2, 4, 6, 4], seed: 15)]).checkGradients(tolerance: 1e-3)
    }

    @Test(arguments: [Pooling(.max, geometry: PoolingGeometry(kernel: [3, 3], stride: [2, 2], padding: [1, 1], ceilMode: true)),
                      Pooling(.average(countIncludePad: true),
                              geometry: PoolingGeometry(kernel: [3, 3], stride: [2, 2], padding: [1, 1], ceilMode: true))])
    func channelBlockedInputsGiveThePlainResultsAndGradients(op: Pooling) throws {
        let plain = Self.distinctValues(shape: [2, 20, 6, 7], seed: 16)
        let blocked = DNNL.reorder(plain, to: .channelBlocked(16))
        let weights = Tensor.randomNormal(shape: try op.outputShape(inputs: [plain.shape], parameters: []), seed: 17)
        func run(_ x: Tensor) throws -> (output: Tensor, gradient: Tensor) {
            let trace = try OpHarness(op, inputs: [x]).graph().forward(x)
            return (trace.output.plain(), try trace.gradient(of: .weighted(by: weights), at: ["x0"])["x0"]!.plain())
        }
        let fromPlain = try run(plain), fromBlocked = try run(blocked)
        expectClose(fromBlocked.output, fromPlain.output, .normwise(1e-6))
        expectClose(fromBlocked.gradient, fromPlain.gradient, .normwise(1e-6))
    }

    // MARK: Adaptive average pooling

    static let adaptiveCases: [(input: [Int], outputSize: [Int?])] = [
        ([2, 3, 8, 6], [4, 3]),                 // divisible: oneDNN with kernel = stride = 2
        ([2, 3, 7, 5], [3, 4]),                 // overlapping windows
        ([1, 2, 5, 7, 6], [2, 3, 4]),
        ([2, 3, 10], [4]),
        ([1, 2, 5, 7], [nil, 3]),               // nil keeps the 5
        ([1, 1, 3, 3], [5, 4]),                 // output larger than input: windows repeat
        ([2, 3, 4, 5, 6], [1, 1, 1]),           // global, as r3d_18's avgpool
        ([1, 2, 6, 9, 4], [3, 3, 2]),
    ]

    @Test(arguments: adaptiveCases.indices)
    func adaptiveAveragePoolingMatchesTheReference(index: Int) throws {
        let (shape, outputSize) = Self.adaptiveCases[index]
        let x = Tensor.randomNormal(shape: shape, seed: 18)
        let op = AdaptiveAveragePool(outputSize: outputSize)
        let resolved = zip(outputSize, shape.dropFirst(2)).map { $0 ?? $1 }
        expectClose(try OpHarness(op, inputs: [x]).forward().plain(),
                    Reference.adaptiveAvgPool(x, outputSize: resolved), .normwise(1e-4))
    }

    @Test(arguments: adaptiveCases.indices)
    func adaptiveAveragePoolingBackwardMatchesFiniteDifferences(index: Int) throws {
        let (shape, outputSize) = Self.adaptiveCases[index]
        try OpHarness(AdaptiveAveragePool(outputSize: outputSize), inputs: [Tensor.randomNormal(shape: shape, seed: 19)])
            .checkGradients(tolerance: 1e-3)
    }

    @Test func globalAveragePoolingAveragesEachChannelToOnePoint() throws {
        // Channel 0 holds 1…8 (mean 4.5), channel 1 holds 8 copies of −2.
        let x = Tensor(shape: [1, 2, 2, 2, 2], scalars: [1, 2, 3, 4, 5, 6, 7, 8] + Array(repeating: -2, count: 8))
        let op = AdaptiveAveragePool.global(spatialRank: 3)
        #expect(op.typeName == "AdaptiveAvgPool3d")
        expectClose(try OpHarness(op, inputs: [x]).forward().plain(),
                    Tensor(shape: [1, 2, 1, 1, 1], scalars: [4.5, -2]), .normwise(1e-6))
    }

    @Test func adaptiveWindowsFollowPyTorchsFloorAndCeilBounds() {
        // Input 5 to output 3: [⌊0⌋, ⌈5/3⌉) = [0, 2), [⌊5/3⌋, ⌈10/3⌉) = [1, 4), [⌊10/3⌋, 5) = [3, 5).
        #expect(AdaptiveAveragePool.windows(input: [5], output: [3]) == [[0, 1], [1, 2, 3], [3, 4]])
        // 2-d, input 2×3 to 1×2: columns [0, 2) and [1, 3), both rows; offsets row·3 + column.
        #expect(AdaptiveAveragePool.windows(input: [2, 3], output: [1, 2]) == [[0, 1, 3, 4], [1, 2, 4, 5]])
    }

    // MARK: Shape errors

    @Test func poolingWindowLargerThanThePaddedInputThrowsNamingTheNode() {
        // 3 + 2·0 < 5 and, along the first axis, 1 + 2·1 < 5 (PyTorch: output size 0).
        ShapeErrorProbe.expectError(Pooling(.max, geometry: PoolingGeometry(kernel: [5, 5])),
                                    inputs: [Tensor(zeros: [1, 1, 3, 3])])
        ShapeErrorProbe.expectError(Pooling(.average(countIncludePad: true), geometry: PoolingGeometry(kernel: [5], padding: [1])),
                                    inputs: [Tensor(zeros: [1, 1, 1])])
    }

    @Test func poolingRejectsPaddingAboveHalfTheKernelDilatedAveragesAndWrongRanks() {
        ShapeErrorProbe.expectError(Pooling(.max, geometry: PoolingGeometry(kernel: [3, 3], padding: [2, 2])),
                                    inputs: [Tensor(zeros: [1, 1, 8, 8])])
        ShapeErrorProbe.expectError(Pooling(.average(countIncludePad: false), geometry: PoolingGeometry(kernel: [3, 3], dilation: [2, 2])),
                                    inputs: [Tensor(zeros: [1, 1, 8, 8])])
        ShapeErrorProbe.expectError(Pooling(.max, geometry: PoolingGeometry(kernel: [3, 3, 3])),
                                    inputs: [Tensor(zeros: [1, 1, 8, 8])])
        ShapeErrorProbe.expectError(AdaptiveAveragePool(outputSize: [0, 2]), inputs: [Tensor(zeros: [1, 1, 8, 8])])
        ShapeErrorProbe.expectError(AdaptiveAveragePool.global(spatialRank: 3), inputs: [Tensor(zeros: [1, 1, 8, 8])])
    }
}
