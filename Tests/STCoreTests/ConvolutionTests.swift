import Testing
import TestSupport
@testable import STCore

@Suite struct ConvolutionTests {
    static let cases: [(input: [Int], weight: [Int], geometry: ConvolutionGeometry)] = [
        ([2, 3, 9, 7], [5, 3, 3, 3], ConvolutionGeometry(spatialRank: 2, stride: 2, padding: 1)),
        ([1, 4, 8, 8], [6, 2, 3, 3], ConvolutionGeometry(spatialRank: 2, stride: 1, padding: 2, dilation: 2, groups: 2)),
        ([2, 3, 5, 9, 7], [4, 3, 3, 3, 3], ConvolutionGeometry(stride: [1, 2, 2], padding: [1, 1, 1])),
        ([1, 16, 4, 6, 6], [32, 16, 1, 1, 1], ConvolutionGeometry(spatialRank: 3, stride: 2)),
        ([1, 2, 11], [3, 2, 4], ConvolutionGeometry(stride: [3], padding: [2])),
    ]

    @Test(arguments: cases.indices)
    func forwardMatchesTheReference(index: Int) throws {
        let (inputShape, weightShape, geometry) = Self.cases[index]
        let x = Tensor.randomNormal(shape: inputShape, seed: 1)
        let w = Tensor.randomNormal(shape: weightShape, seed: 2)
        let b = Tensor.randomNormal(shape: [weightShape[0]], seed: 3)
        let harness = OpHarness(Convolution(geometry: geometry, bias: true), inputs: [x], parameters: ["weight": w, "bias": b])
        let expected = Reference.convolution(x, weight: w, bias: b, stride: geometry.stride, padding: geometry.padding,
                                             dilation: geometry.dilation, groups: geometry.groups)
        expectClose(try harness.forward().plain(), expected, .normwise(1e-4))
    }

    @Test(arguments: cases.indices)
    func backwardMatchesFiniteDifferences(index: Int) throws {
        let (inputShape, weightShape, geometry) = Self.cases[index]
        let harness = OpHarness(Convolution(geometry: geometry, bias: true),
                                inputs: [Tensor.randomNormal(shape: inputShape, seed: 4)],
                                parameters: ["weight": Tensor.randomNormal(shape: weightShape, seed: 5),
                                             "bias": Tensor.randomNormal(shape: [weightShape[0]], seed: 6)])
        try harness.checkGradients(tolerance: 2e-3)
    }
}
