/// ST-GCN's spatial graph aggregation, `torch.einsum("nkctv,kvw->nctw", x, A)`: `x` is
/// `(N, K, C, T, V)` (a 1×1 convolution's output viewed as K partitions of C channels), `A` is
/// `(K, V, W)` (a graph value, so it can be a constant adjacency times a trained edge importance),
/// and
///
/// y[n, c, t, w] = Σ_k Σ_v x[n, k, c, t, v] · A[k, v, w]            (shape (N, C, T, W))
///
/// Forward: K batched products x[:, k] · A[k], each x[:, k] a strided `(N, C·T, V)` view, summed
/// into one output. Backward: ∂L/∂x[:, k] = g · A[k]ᵀ for all k in one broadcast product, and
/// ∂L/∂A[k] = Σ_n x[n, k]ᵀ · g[n] (C·T rows) as a broadcast product summed over n.
public struct GraphAggregation: Op {
    public init() {}

    public var typeName: String { "GraphAggregation" }

    public func outputShape(inputs: [[Int]], parameters: [[Int]]) throws -> [Int] {
        let x = inputs[0], adjacency = inputs[1]
        try ShapeCheck.require(x.count == 5, "graph aggregation expects x as (N, K, C, T, V), got \(x)")
        try ShapeCheck.require(adjacency.count == 3 && adjacency[0] == x[1] && adjacency[1] == x[4],
                               "adjacency \(adjacency) is not (K, V, W) for x \(x)")
        return [x[0], x[2], x[3], adjacency[2]]
    }

    /// The sizes the products work with: x as (N, K, C·T, V), A as (K, V, W).
    private struct Sizes {
        let batch, partitions, rows, vertices, targets: Int

        init(x: [Int], adjacency: [Int]) {
            (batch, partitions, rows, vertices, targets) = (x[0], x[1], x[2] * x[3], x[4], adjacency[2])
        }
    }

    public func forward(_ inputs: [Tensor], parameters: [Tensor], context: inout ForwardContext) throws -> OpOutput {
        let (x, adjacency) = (inputs[0], inputs[1])
        let outputShape = try outputShape(inputs: [x.shape, adjacency.shape], parameters: [])
        let s = Sizes(x: x.shape, adjacency: adjacency.shape)
        var output: Tensor?
        for k in 0..<s.partitions {
            let xk = DNNL.MatrixView(x, dims: [s.batch, s.rows, s.vertices],
                                     strides: [s.partitions * s.rows * s.vertices, s.vertices, 1],
                                     offset: k * s.rows * s.vertices)
            let ak = DNNL.MatrixView(adjacency, dims: [1, s.vertices, s.targets],
                                     strides: [s.vertices * s.targets, s.targets, 1], offset: k * s.vertices * s.targets)
            output = try DNNL.matmul(xk, ak, accumulate: output)
        }
        return OpOutput(output.map { $0.reshaped(outputShape) } ?? Tensor(zeros: outputShape))
    }

    public func backward(_ gradOutput: Tensor, record: OpRecord, needInputs: [Bool],
                         context: BackwardContext) throws -> OpGradients {
        let (x, adjacency) = (record.inputs[0], record.inputs[1])
        let s = Sizes(x: x.shape, adjacency: adjacency.shape)
        // g as (N, 1, C·T, W): the size-1 axis broadcasts over the K partitions.
        let g = DNNL.MatrixView(gradOutput, dims: [s.batch, 1, s.rows, s.targets])
        let gradX = needInputs[0]
            ? try DNNL.matmul(g, DNNL.MatrixView(adjacency, dims: [1, s.partitions, s.vertices, s.targets]).transposed)
                .reshaped(x.shape)
            : nil
        guard needInputs[1] else { return OpGradients(inputs: [gradX, nil]) }
        let xT = DNNL.MatrixView(x, dims: [s.batch, s.partitions, s.rows, s.vertices]).transposed
        let perSample = try DNNL.matmul(xT, g)
        let gradAdjacency = try DNNL.reduce(perSample, to: [1, s.partitions, s.vertices, s.targets], mean: false)
            .reshaped(adjacency.shape)
        return OpGradients(inputs: [gradX, gradAdjacency])
    }

    /// N · K · C · T · V · W.
    public func multiplyAdds(inputs: [[Int]], parameters: [[Int]], output: [Int]) -> Int {
        inputs[0].reduce(1, *) * inputs[1][2]
    }
}
