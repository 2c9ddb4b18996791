@testable import STCore

extension Reference {
    /// `torch.nn.functional.linear`: `x` is `(…, in)`, `weight` is `(out, in)`, `bias` `(out)` or nil;
    ///
    ///     y[…, j] = bias[j] + Σ_i x[…, i] · weight[j, i]          (y = x·Wᵀ + b, shape (…, out))
    static func linear(_ x: Tensor, weight: Tensor, bias: Tensor?) -> Tensor {
        precondition(x.rank >= 1 && weight.rank == 2 && x.shape.last == weight.shape[1],
                     "linear of \(x.shape) with weight \(weight.shape)")
        let inFeatures = weight.shape[1], outFeatures = weight.shape[0]
        if let bias { precondition(bias.shape == [outFeatures], "bias \(bias.shape) for weight \(weight.shape)") }
        let xs = x.scalars, ws = weight.scalars, bs = bias?.scalars
        let rows = x.shape.dropLast().reduce(1, *)
        var out = [Float]()
        out.reserveCapacity(rows * outFeatures)
        for row in 0..<rows {
            for j in 0..<outFeatures {
                var sum = Double(bs?[j] ?? 0)
                for i in 0..<inFeatures {
                    sum += Double(xs[row * inFeatures + i]) * Double(ws[j * inFeatures + i])
                }
                out.append(Float(sum))
            }
        }
        return Tensor(shape: x.shape.dropLast() + [outFeatures], scalars: out)
    }

    /// `torch.matmul`. For ranks ≥ 2, `a` is `(…a, n, k)` and `b` is `(…b, k, m)`; the batch
    /// shapes `…a` and `…b` broadcast (numpy rules) to `…`, and
    ///
    ///     out[…, i, j] = Σ_l a[…, i, l] · b[…, l, j]                (shape (…, n, m))
    ///
    /// As in PyTorch, a rank-1 `a` is treated as `(1, k)` and a rank-1 `b` as `(k, 1)`, and the
    /// added axis is removed from the result (two vectors give their dot product, shape `[]`).
    static func matmul(_ a: Tensor, _ b: Tensor) -> Tensor {
        precondition(a.rank >= 1 && b.rank >= 1, "matmul of \(a.shape) and \(b.shape)")
        let aShape = a.rank == 1 ? [1] + a.shape : a.shape
        let bShape = b.rank == 1 ? b.shape + [1] : b.shape
        let n = aShape[aShape.count - 2], k = aShape[aShape.count - 1]
        let m = bShape[bShape.count - 1]
        precondition(bShape[bShape.count - 2] == k, "matmul of \(a.shape) and \(b.shape): inner sizes differ")
        let aBatch = Array(aShape.dropLast(2)), bBatch = Array(bShape.dropLast(2))
        let batch = broadcastShape(aBatch, bBatch)
        let aValues = a.scalars, bValues = b.scalars
        var out = [Float]()
        out.reserveCapacity(batch.reduce(1, *) * n * m)
        forEachIndex(batch) { batchIndex in
            let aBase = broadcastSourceOffset(batchIndex, sourceShape: aBatch) * n * k
            let bBase = broadcastSourceOffset(batchIndex, sourceShape: bBatch) * k * m
            for i in 0..<n {
                for j in 0..<m {
                    var sum = 0.0
                    for l in 0..<k {
                        sum += Double(aValues[aBase + i * k + l]) * Double(bValues[bBase + l * m + j])
                    }
                    out.append(Float(sum))
                }
            }
        }
        var outShape = batch
        if a.rank > 1 { outShape.append(n) }
        if b.rank > 1 { outShape.append(m) }
        return Tensor(shape: outShape, scalars: out)
    }
}
