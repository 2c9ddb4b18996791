@testable import STCore

extension Reference {
    /// The channel (axis 1) of every element of a tensor of shape `shape` (rank ≥ 2), in row-major order.
    private static func channelOfEachElement(_ shape: [Int]) -> [Int] {
        precondition(shape.count >= 2, "batch norm needs (N, C, …), got \(shape)")
        let inner = shape.dropFirst(2).reduce(1, *)
        let count = shape.reduce(1, *)
        return (0..<count).map { ($0 / inner) % shape[1] }
    }

    /// `torch.nn.functional.batch_norm(training: false)`: with channels on axis 1 (any rank ≥ 2),
    ///
    ///     out[n, c, …] = (x[n, c, …] − mean[c]) / √(variance[c] + epsilon) · weight[c] + bias[c]
    ///
    /// using the given running statistics; `mean`, `variance`, `weight`, `bias` all have shape `(C)`.
    static func batchNormInference(
        _ x: Tensor, mean: Tensor, variance: Tensor, weight: Tensor, bias: Tensor, epsilon: Float
    ) -> Tensor {
        let channels = x.shape[1]
        for (name, parameter) in [("mean", mean), ("variance", variance), ("weight", weight), ("bias", bias)] {
            precondition(parameter.shape == [channels], "\(name) \(parameter.shape) for input \(x.shape)")
        }
        let mu = mean.scalars, sigma2 = variance.scalars, gamma = weight.scalars, beta = bias.scalars
        let channelOf = channelOfEachElement(x.shape)
        let out = zip(x.scalars, channelOf).map { value, c in
            let normalized = (Double(value) - Double(mu[c])) / (Double(sigma2[c]) + Double(epsilon)).squareRoot()
            return Float(normalized * Double(gamma[c]) + Double(beta[c]))
        }
        return Tensor(shape: x.shape, scalars: out)
    }

    /// `torch.nn.functional.batch_norm(training: true)`: per channel `c` (axis 1) the batch
    /// statistics over all other axes (`M` elements each),
    ///
    ///     mean[c]     = Σ x[n, c, …] / M
    ///     variance[c] = Σ (x[n, c, …] − mean[c])² / M        (biased; PyTorch normalises with it)
    ///     out         = (x − mean[c]) / √(variance[c] + epsilon) · weight[c] + bias[c]
    ///
    /// Returns the output, the batch mean and the biased batch variance (both `(C)`). Note that
    /// PyTorch's running-variance update uses the unbiased `variance · M / (M − 1)` instead.
    static func batchNormTraining(
        _ x: Tensor, weight: Tensor, bias: Tensor, epsilon: Float
    ) -> (output: Tensor, mean: Tensor, variance: Tensor) {
        let channels = x.shape[1]
        precondition(weight.shape == [channels] && bias.shape == [channels],
                     "weight \(weight.shape) / bias \(bias.shape) for input \(x.shape)")
        let values = x.scalars
        let channelOf = channelOfEachElement(x.shape)
        let perChannel = Double(x.count / channels)

        var sums = [Double](repeating: 0, count: channels)
        for (value, c) in zip(values, channelOf) { sums[c] += Double(value) }
        let means = sums.map { $0 / perChannel }

        var squares = [Double](repeating: 0, count: channels)
        for (value, c) in zip(values, channelOf) {
            let deviation = Double(value) - means[c]
            squares[c] += deviation * deviation
        }
        let variances = squares.map { $0 / perChannel }

        let mean = Tensor(shape: [channels], scalars: means.map { Float($0) })
        let variance = Tensor(shape: [channels], scalars: variances.map { Float($0) })
        let gamma = weight.scalars, beta = bias.scalars
        let out = zip(values, channelOf).map { value, c in
            let normalized = (Double(value) - means[c]) / (variances[c] + Double(epsilon)).squareRoot()
            return Float(normalized * Double(gamma[c]) + Double(beta[c]))
        }
        return (Tensor(shape: x.shape, scalars: out), mean, variance)
    }

    /// `torch.nn.functional.layer_norm(x, normalized_shape: x.shape[axis...], weight, bias, eps)`:
    /// for every leading index, over the `M` elements of the trailing axes from `axis` on,
    ///
    ///     mean     = Σ x / M
    ///     variance = Σ (x − mean)² / M        (biased)
    ///     out      = (x − mean) / √(variance + epsilon) ⊙ weight + bias
    ///
    /// `weight` and `bias` have the shape of the trailing axes; a negative `axis` counts from the end.
    static func layerNorm(_ x: Tensor, axis: Int, weight: Tensor, bias: Tensor, epsilon: Float) -> Tensor {
        let axis = normalizedAxis(axis, rank: x.rank)
        let trailing = Array(x.shape[axis...])
        precondition(weight.shape == trailing && bias.shape == trailing,
                     "weight \(weight.shape) / bias \(bias.shape) for normalised shape \(trailing)")
        let width = trailing.reduce(1, *)
        let values = x.scalars, gamma = weight.scalars, beta = bias.scalars
        var out = [Float](repeating: 0, count: values.count)
        for start in stride(from: 0, to: values.count, by: width) {
            let row = values[start..<(start + width)].map(Double.init)
            let mean = row.reduce(0, +) / Double(width)
            let variance = row.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(width)
            let deviation = (variance + Double(epsilon)).squareRoot()
            for (j, value) in row.enumerated() {
                out[start + j] = Float((value - mean) / deviation * Double(gamma[j]) + Double(beta[j]))
            }
        }
        return Tensor(shape: x.shape, scalars: out)
    }
}
