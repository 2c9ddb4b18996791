@testable import STCore

extension Reference {
    /// `torch.nn.functional.conv{1,2,3}d` (a cross-correlation, the kernel is not flipped).
    ///
    /// `x` is `(N, C, s_1 … s_D)` with `D` ∈ 1…3, `weight` is `(O, C/groups, k_1 … k_D)`,
    /// `bias` is `(O)` or nil. `stride`, `padding`, `dilation` hold one value per spatial
    /// dimension (or a single value used for all). With `G = O/groups` output channels per group:
    ///
    ///     out[n, o, p] = bias[o] + Σ_{c < C/groups} Σ_{k} x[n, (o / G)·C/groups + c, p·stride − padding + k·dilation] · weight[o, c, k]
    ///
    /// where positions outside the input read zero (zero padding), and the output size along each
    /// spatial dimension is `⌊(s + 2·padding − dilation·(k − 1) − 1) / stride⌋ + 1`.
    static func convolution(
        _ x: Tensor, weight: Tensor, bias: Tensor?,
        stride: [Int], padding: [Int], dilation: [Int], groups: Int
    ) -> Tensor {
        let spatial = x.rank - 2
        precondition((1...3).contains(spatial), "convolution input \(x.shape) is not (N, C, 1–3 spatial dims)")
        precondition(weight.rank == x.rank, "weight \(weight.shape) for input \(x.shape)")
        let batch = x.shape[0], channels = x.shape[1], outChannels = weight.shape[0]
        precondition(groups >= 1 && channels % groups == 0 && outChannels % groups == 0,
                     "groups \(groups) for \(channels) input and \(outChannels) output channels")
        let channelsPerGroup = channels / groups
        let outChannelsPerGroup = outChannels / groups
        precondition(weight.shape[1] == channelsPerGroup, "weight \(weight.shape) for \(channels) channels in \(groups) groups")
        if let bias { precondition(bias.shape == [outChannels], "bias \(bias.shape) for \(outChannels) output channels") }

        let stride = spatialParameter(stride, count: spatial, name: "stride")
        let padding = spatialParameter(padding, count: spatial, name: "padding")
        let dilation = spatialParameter(dilation, count: spatial, name: "dilation")
        let inSize = Array(x.shape[2...])
        let kernelSize = Array(weight.shape[2...])
        let outSize = (0..<spatial).map { d in
            floorDivide(inSize[d] + 2 * padding[d] - dilation[d] * (kernelSize[d] - 1) - 1, stride[d]) + 1
        }
        precondition(outSize.allSatisfy { $0 >= 1 }, "convolution of \(x.shape) with \(weight.shape) has empty output \(outSize)")

        let xs = x.scalars, ws = weight.scalars, bs = bias?.scalars
        let outShape = [batch, outChannels] + outSize
        var out = [Float]()
        out.reserveCapacity(outShape.reduce(1, *))
        forEachIndex(outShape) { index in
            let n = index[0], o = index[1], position = Array(index[2...])
            let group = o / outChannelsPerGroup
            var sum = Double(bs?[o] ?? 0)
            for c in 0..<channelsPerGroup {
                let inputChannel = group * channelsPerGroup + c
                forEachIndex(kernelSize) { k in
                    var inputPosition = [Int](repeating: 0, count: spatial)
                    for d in 0..<spatial {
                        inputPosition[d] = position[d] * stride[d] - padding[d] + k[d] * dilation[d]
                        if inputPosition[d] < 0 || inputPosition[d] >= inSize[d] { return }  // zero padding
                    }
                    let xValue = xs[flatOffset([n, inputChannel] + inputPosition, in: x.shape)]
                    let wValue = ws[flatOffset([o, c] + k, in: weight.shape)]
                    sum += Double(xValue) * Double(wValue)
                }
            }
            out.append(Float(sum))
        }
        return Tensor(shape: outShape, scalars: out)
    }
}
