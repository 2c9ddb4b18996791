/// Max or average pooling; average pooling either counts padded positions in the divisor
/// (PyTorch's `count_include_pad=True`) or not.
public enum PoolingKind: Hashable, Sendable {
    case max
    case average(countIncludePad: Bool)
}

/// Window, stride, padding and dilation of an N-d pooling, with PyTorch's `ceil_mode`.
public struct PoolingGeometry: Hashable, Sendable {
    public var kernel: [Int]
    public var stride: [Int]
    public var padding: [Int]
    public var dilation: [Int]
    public var ceilMode: Bool

    public init(kernel: [Int], stride: [Int]? = nil, padding: [Int]? = nil, dilation: [Int]? = nil,
                ceilMode: Bool = false) {
        self.kernel = kernel
        self.stride = stride ?? kernel
        self.padding = padding ?? kernel.map { _ in 0 }
        self.dilation = dilation ?? kernel.map { _ in 1 }
        self.ceilMode = ceilMode
    }

    /// PyTorch's output size: ⌊ or ⌈ (in + 2p − d(k − 1) − 1)/s ⌉ + 1, and with `ceil_mode` the
    /// last window must start inside the input or its left padding.
    public func outputSpatial(input: [Int]) -> [Int] {
        (0..<input.count).map { axis in
            let span = input[axis] + 2 * padding[axis] - dilation[axis] * (kernel[axis] - 1) - 1
            let quotient = ceilMode ? span + stride[axis] - 1 : span
            var size = Int((Double(quotient) / Double(stride[axis])).rounded(.down)) + 1
            if ceilMode && (size - 1) * stride[axis] >= input[axis] + padding[axis] {
                size -= 1
            }
            return size
        }
    }

    /// Right padding that makes oneDNN produce `output` (ceil mode adds windows past the input).
    func rightPadding(input: [Int], output: [Int]) -> [Int] {
        (0..<kernel.count).map { axis in
            let extent = dilation[axis] * (kernel[axis] - 1) + 1
            return (output[axis + 2] - 1) * stride[axis] + extent - input[axis + 2] - padding[axis]
        }
    }
}
