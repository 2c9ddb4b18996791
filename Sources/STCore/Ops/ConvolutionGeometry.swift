/// Stride, padding, dilation and groups of an N-d convolution (PyTorch conventions: dilation 1
/// means no gaps; padding is symmetric).
public struct ConvolutionGeometry: Hashable, Sendable {
    public var stride: [Int]
    public var padding: [Int]
    public var dilation: [Int]
    public var groups: Int

    public init(stride: [Int], padding: [Int], dilation: [Int]? = nil, groups: Int = 1) {
        self.stride = stride
        self.padding = padding
        self.dilation = dilation ?? stride.map { _ in 1 }
        self.groups = groups
    }

    /// Geometry with the same value on every spatial axis.
    public init(spatialRank: Int, stride: Int = 1, padding: Int = 0, dilation: Int = 1, groups: Int = 1) {
        self.init(stride: Array(repeating: stride, count: spatialRank),
                  padding: Array(repeating: padding, count: spatialRank),
                  dilation: Array(repeating: dilation, count: spatialRank), groups: groups)
    }

    /// Output size along each spatial axis: ⌊(in + 2p − d(k − 1) − 1)/s⌋ + 1.
    public func outputSpatial(input: [Int], kernel: [Int]) -> [Int] {
        (0..<input.count).map { axis in
            (input[axis] + 2 * padding[axis] - dilation[axis] * (kernel[axis] - 1) - 1) / stride[axis] + 1
        }
    }

    /// The right padding oneDNN needs so that its output size equals `output` (it may be smaller
    /// than the left padding when the stride skips the last input elements).
    func rightPadding(input: [Int], weight: [Int], output: [Int]) -> [Int] {
        (0..<stride.count).map { axis in
            let extent = dilation[axis] * (weight[axis + 2] - 1) + 1
            return (output[axis + 2] - 1) * stride[axis] + extent - input[axis + 2] - padding[axis]
        }
    }
}
