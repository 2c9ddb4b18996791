/// `x` with `r` added into the block of x that starts at `offsets` and has r's shape — PyTorch's
/// in-place `x[..., a:, b:] += r` (MViT v2's relative positions added into the attention map),
/// which ONNX exporters spell as slices, an add, transposes and `ScatterND`:
///
///     y = x,   y[o + i] = x[o + i] + r[i]      (o = offsets, i over r's shape)
///     ∂L/∂x = g,   ∂L/∂r[i] = g[o + i]
///
/// One copy of x and one pass over the block, where the exported pattern took six copies.
/// Shape errors: ranks differ from the offsets' count, or the block does not fit in x.
public struct BlockAdd: Op {
    /// Where the block starts along each axis of x.
    public let offsets: [Int]

    public init(offsets: [Int]) {
        self.offsets = offsets
    }

    public var typeName: String { "BlockAdd" }

    public func outputShape(inputs: [[Int]], parameters: [[Int]]) throws -> [Int] {
        let (x, r) = (inputs[0], inputs[1])
        try ShapeCheck.require(x.count == offsets.count && r.count == offsets.count,
                               "BlockAdd of \(r) into \(x) at offsets \(offsets): ranks differ")
        try ShapeCheck.require(zip(offsets, zip(r, x)).allSatisfy { offset, sizes in offset >= 0 && offset + sizes.0 <= sizes.1 },
                               "BlockAdd of \(r) into \(x) at offsets \(offsets): the block does not fit")
        return x
    }

    public func forward(_ inputs: [Tensor], parameters: [Tensor], context: inout ForwardContext) throws -> OpOutput {
        OpOutput(try DNNL.addingIntoBlock(inputs[0], inputs[1], offsets: offsets))
    }

    public func backward(_ gradOutput: Tensor, record: OpRecord, needInputs: [Bool],
                         context: BackwardContext) throws -> OpGradients {
        let gradBlock = needInputs[1] ? try DNNL.block(gradOutput, offsets: offsets, shape: record.inputs[1].shape) : nil
        return OpGradients(inputs: [needInputs[0] ? gradOutput : nil, gradBlock])
    }
}
