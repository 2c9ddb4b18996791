/// Matrix product of two graph values (`torch.matmul`) for ranks ≥ 2: `a` is `(…a, n, k)`, `b` is
/// `(…b, k, m)`, the batch shapes broadcast (NumPy rules, shorter ones padded with leading 1s) to
/// `…`, and
///
/// y[…, i, j] = Σ_l a[…, i, l] · b[…, l, j]            (shape (…, n, m))
///
/// Backward: ∂L/∂a = Σ_broadcast g·bᵀ, ∂L/∂b = Σ_broadcast aᵀ·g (transposes are strided views).
/// A 2-D `b` (a weight, as attention's projections are exported) multiplies all of `a`'s rows in
/// one GEMM — `a` viewed as (Π…a·n, k) — instead of one small product per batch index.
public struct MatMul: Op {
    public init() {}

    public var typeName: String { "MatMul" }

    public func outputShape(inputs: [[Int]], parameters: [[Int]]) throws -> [Int] {
        let a = inputs[0], b = inputs[1]
        try ShapeCheck.require(a.count >= 2 && b.count >= 2, "MatMul needs operands of rank ≥ 2, got \(a) and \(b)")
        try ShapeCheck.require(a[a.count - 1] == b[b.count - 2], "cannot multiply \(a) by \(b): inner sizes differ")
        guard let batch = Broadcast.shape(Array(a.dropLast(2)), Array(b.dropLast(2))) else {
            throw ShapeCheck.fail("cannot multiply \(a) by \(b): batch shapes do not broadcast")
        }
        return batch + [a[a.count - 2], b[b.count - 1]]
    }

    public func forward(_ inputs: [Tensor], parameters: [Tensor], context: inout ForwardContext) throws -> OpOutput {
        let shape = try outputShape(inputs: inputs.map(\.shape), parameters: [])
        if let rows = Self.rows(inputs[0], inputs[1]) {
            return OpOutput(try DNNL.matmul(DNNL.MatrixView(rows), DNNL.MatrixView(inputs[1])).reshaped(shape))
        }
        let (a, b) = Self.views(inputs[0], inputs[1], rank: shape.count)
        return OpOutput(try DNNL.matmul(a, b))
    }

    public func backward(_ gradOutput: Tensor, record: OpRecord, needInputs: [Bool],
                         context: BackwardContext) throws -> OpGradients {
        let (aTensor, bTensor) = (record.inputs[0], record.inputs[1])
        if let rows = Self.rows(aTensor, bTensor) {
            let g = DNNL.MatrixView(gradOutput.plain().reshaped([rows.shape[0], bTensor.shape[1]]))
            let gradA = needInputs[0] ? try DNNL.matmul(g, DNNL.MatrixView(bTensor).transposed).reshaped(aTensor.shape) : nil
            let gradB = needInputs[1] ? try DNNL.matmul(DNNL.MatrixView(rows).transposed, g) : nil
            return OpGradients(inputs: [gradA, gradB])
        }
        let (a, b) = Self.views(aTensor, bTensor, rank: gradOutput.rank)
        let g = DNNL.MatrixView(gradOutput)
        let gradA = needInputs[0] ? try Broadcast.reduce(try DNNL.matmul(g, b.transposed), to: aTensor.shape) : nil
        let gradB = needInputs[1] ? try Broadcast.reduce(try DNNL.matmul(a.transposed, g), to: bTensor.shape) : nil
        return OpGradients(inputs: [gradA, gradB])
    }

    /// Output elements × inner size.
    public func multiplyAdds(inputs: [[Int]], parameters: [[Int]], output: [Int]) -> Int {
        output.reduce(1, *) * inputs[0][inputs[0].count - 1]
    }

    /// `a` as one (Π…a·n, k) matrix when `b` is 2-D and `a` has batch axes; nil otherwise.
    private static func rows(_ a: Tensor, _ b: Tensor) -> Tensor? {
        guard b.rank == 2, a.rank > 2 else { return nil }
        return a.plain().reshaped([a.shape.dropLast().reduce(1, *), a.shape[a.rank - 1]])
    }

    /// Both operands as matrices of the output's rank (leading size-1 batch axes added).
    private static func views(_ a: Tensor, _ b: Tensor, rank: Int) -> (DNNL.MatrixView, DNNL.MatrixView) {
        (DNNL.MatrixView(a, dims: Broadcast.padded(a.shape, to: rank)),
         DNNL.MatrixView(b, dims: Broadcast.padded(b.shape, to: rank)))
    }
}
