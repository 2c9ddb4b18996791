@testable import STCore

extension Reference {
    /// The ST-GCN spatial graph aggregation `torch.einsum("nkctv,kvw->nctw", x, adjacency)`:
    /// `x` is `(N, K, C, T, V)` (the 1×1 convolution output viewed as `K` partitions of `C`
    /// channels), `adjacency` is `(K, V, W)`, and
    ///
    ///     out[n, c, t, w] = Σ_k Σ_v x[n, k, c, t, v] · adjacency[k, v, w]        (shape (N, C, T, W))
    static func graphAggregation(_ x: Tensor, adjacency: Tensor) -> Tensor {
        precondition(x.rank == 5 && adjacency.rank == 3, "graph aggregation of \(x.shape) with adjacency \(adjacency.shape)")
        let (n, k, c, t, v) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3], x.shape[4])
        precondition(adjacency.shape[0] == k && adjacency.shape[1] == v,
                     "adjacency \(adjacency.shape) for \(k) partitions of \(v) vertices")
        let w = adjacency.shape[2]
        let xs = x.scalars, a = adjacency.scalars
        let outShape = [n, c, t, w]
        var out = [Float]()
        out.reserveCapacity(outShape.reduce(1, *))
        forEachIndex(outShape) { index in
            let (batch, channel, time, target) = (index[0], index[1], index[2], index[3])
            var sum = 0.0
            for partition in 0..<k {
                for vertex in 0..<v {
                    let xValue = xs[flatOffset([batch, partition, channel, time, vertex], in: x.shape)]
                    let aValue = a[flatOffset([partition, vertex, target], in: adjacency.shape)]
                    sum += Double(xValue) * Double(aValue)
                }
            }
            out.append(Float(sum))
        }
        return Tensor(shape: outShape, scalars: out)
    }
}
