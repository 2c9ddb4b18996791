@testable import STCore

extension Reference {
    /// PyTorch's pooling output size (`pooling_output_shape`):
    ///
    ///     out = ⌊(input + 2·padding − dilation·(kernel − 1) − 1 + (ceilMode ? stride − 1 : 0)) / stride⌋ + 1
    ///
    /// and, in ceil mode, `out − 1` when the last window would start at or beyond
    /// `input + padding` (each window must start inside the input or the left padding).
    static func poolOutputSize(input: Int, kernel: Int, stride: Int, padding: Int, dilation: Int, ceilMode: Bool) -> Int {
        precondition(kernel >= 1 && stride >= 1 && dilation >= 1 && padding >= 0)
        let span = input + 2 * padding - dilation * (kernel - 1) - 1 + (ceilMode ? stride - 1 : 0)
        var size = floorDivide(span, stride) + 1
        if ceilMode && (size - 1) * stride >= input + padding {
            size -= 1
        }
        return size
    }

    /// `torch.nn.functional.max_pool{1,2,3}d`. The last `kernel.count` axes of `x` are spatial,
    /// all leading axes (N, C or just C) are pooled independently:
    ///
    ///     out[…, p] = max_{k} x[…, p·stride − padding + k·dilation]
    ///
    /// over the window positions inside the input (padding acts as −∞ and never wins). A NaN in
    /// the window propagates, as in PyTorch. Output sizes follow `poolOutputSize`; like PyTorch
    /// the padding must be at most half the kernel size.
    static func maxPool(_ x: Tensor, kernel: [Int], stride: [Int], padding: [Int], dilation: [Int], ceilMode: Bool) -> Tensor {
        let spatial = kernel.count
        precondition(spatial >= 1 && x.rank > spatial, "pooling \(x.shape) with kernel \(kernel)")
        let stride = spatialParameter(stride, count: spatial, name: "stride")
        let padding = spatialParameter(padding, count: spatial, name: "padding")
        let dilation = spatialParameter(dilation, count: spatial, name: "dilation")
        for d in 0..<spatial { precondition(padding[d] <= kernel[d] / 2, "padding \(padding) exceeds half of kernel \(kernel)") }
        let leading = Array(x.shape.dropLast(spatial))
        let inSize = Array(x.shape.suffix(spatial))
        let outSize = (0..<spatial).map { d in
            poolOutputSize(input: inSize[d], kernel: kernel[d], stride: stride[d], padding: padding[d],
                           dilation: dilation[d], ceilMode: ceilMode)
        }
        let xs = x.scalars
        let outShape = leading + outSize
        var out = [Float]()
        out.reserveCapacity(outShape.reduce(1, *))
        forEachIndex(outShape) { index in
            let outer = Array(index.prefix(leading.count)), position = Array(index.suffix(spatial))
            var best = -Float.infinity
            forEachIndex(kernel) { k in
                var inputPosition = [Int](repeating: 0, count: spatial)
                for d in 0..<spatial {
                    inputPosition[d] = position[d] * stride[d] - padding[d] + k[d] * dilation[d]
                    if inputPosition[d] < 0 || inputPosition[d] >= inSize[d] { return }  // −∞ padding
                }
                let value = xs[flatOffset(outer + inputPosition, in: x.shape)]
                if value > best || value.isNaN { best = value }
            }
            out.append(best)
        }
        return Tensor(shape: outShape, scalars: out)
    }

    /// `torch.nn.functional.avg_pool{1,2,3}d` (no divisor override). The last `kernel.count`
    /// axes of `x` are spatial. Per spatial dimension the window is
    /// `[start, end)` with `start = p·stride − padding` and `end = min(start + kernel, input + padding)`
    /// (in ceil mode the last window is clipped to the input plus right padding); the sum runs over
    /// the part of the window inside the input, `[max(start, 0), min(end, input))`. The divisor is
    /// the product of `end − start` (padding included, `countIncludePad`) or the number of input
    /// elements summed (`!countIncludePad`). Output sizes follow `poolOutputSize` with dilation 1;
    /// the padding must be at most half the kernel size.
    static func avgPool(_ x: Tensor, kernel: [Int], stride: [Int], padding: [Int], ceilMode: Bool, countIncludePad: Bool) -> Tensor {
        let spatial = kernel.count
        precondition(spatial >= 1 && x.rank > spatial, "pooling \(x.shape) with kernel \(kernel)")
        let stride = spatialParameter(stride, count: spatial, name: "stride")
        let padding = spatialParameter(padding, count: spatial, name: "padding")
        for d in 0..<spatial { precondition(padding[d] <= kernel[d] / 2, "padding \(padding) exceeds half of kernel \(kernel)") }
        let leading = Array(x.shape.dropLast(spatial))
        let inSize = Array(x.shape.suffix(spatial))
        let outSize = (0..<spatial).map { d in
            poolOutputSize(input: inSize[d], kernel: kernel[d], stride: stride[d], padding: padding[d],
                           dilation: 1, ceilMode: ceilMode)
        }
        let xs = x.scalars
        let outShape = leading + outSize
        var out = [Float]()
        out.reserveCapacity(outShape.reduce(1, *))
        forEachIndex(outShape) { index in
            let outer = Array(index.prefix(leading.count)), position = Array(index.suffix(spatial))
            var windowStart = [Int](), windowSize = [Int]()   // the part inside the input
            var paddedCount = 1, inputCount = 1
            for d in 0..<spatial {
                let start = position[d] * stride[d] - padding[d]
                let end = min(start + kernel[d], inSize[d] + padding[d])
                paddedCount *= end - start
                let clippedStart = max(start, 0), clippedEnd = min(end, inSize[d])
                windowStart.append(clippedStart)
                windowSize.append(clippedEnd - clippedStart)
                inputCount *= clippedEnd - clippedStart
            }
            var sum = 0.0
            forEachIndex(windowSize) { offset in
                let inputPosition = (0..<spatial).map { windowStart[$0] + offset[$0] }
                sum += Double(xs[flatOffset(outer + inputPosition, in: x.shape)])
            }
            out.append(Float(sum / Double(countIncludePad ? paddedCount : inputCount)))
        }
        return Tensor(shape: outShape, scalars: out)
    }

    /// `torch.nn.functional.adaptive_avg_pool{1,2,3}d`. The last `outputSize.count` axes of `x`
    /// are spatial. Output position `i` of a dimension with input size `s` and output size `S`
    /// averages the input over `[⌊i·s/S⌋, ⌈(i+1)·s/S⌉)`; windows may overlap when `S` does not
    /// divide `s`.
    static func adaptiveAvgPool(_ x: Tensor, outputSize: [Int]) -> Tensor {
        let spatial = outputSize.count
        precondition(spatial >= 1 && x.rank > spatial && outputSize.allSatisfy { $0 >= 1 },
                     "adaptive pooling \(x.shape) to \(outputSize)")
        let leading = Array(x.shape.dropLast(spatial))
        let inSize = Array(x.shape.suffix(spatial))
        let xs = x.scalars
        let outShape = leading + outputSize
        var out = [Float]()
        out.reserveCapacity(outShape.reduce(1, *))
        forEachIndex(outShape) { index in
            let outer = Array(index.prefix(leading.count)), position = Array(index.suffix(spatial))
            var windowStart = [Int](), windowSize = [Int]()
            for d in 0..<spatial {
                let start = (position[d] * inSize[d]) / outputSize[d]                            // floor
                let end = ((position[d] + 1) * inSize[d] + outputSize[d] - 1) / outputSize[d]     // ceil
                windowStart.append(start)
                windowSize.append(end - start)
            }
            var sum = 0.0
            forEachIndex(windowSize) { offset in
                let inputPosition = (0..<spatial).map { windowStart[$0] + offset[$0] }
                sum += Double(xs[flatOffset(outer + inputPosition, in: x.shape)])
            }
            out.append(Float(sum / Double(windowSize.reduce(1, *))))
        }
        return Tensor(shape: outShape, scalars: out)
    }
}
