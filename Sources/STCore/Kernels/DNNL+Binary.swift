import CDNNL

extension DNNL {
    /// Element-wise binary operations.
    enum BinaryOperation: String {
        case add, mul, sub, div

        var algorithm: dnnl_alg_kind_t {
            switch self {
            case .add: return dnnl_binary_add
            case .mul: return dnnl_binary_mul
            case .sub: return dnnl_binary_sub
            case .div: return dnnl_binary_div
            }
        }
    }

    /// `a ∘ b` where `b` broadcasts to `a`'s shape (size-1 axes, equal rank). The result has `a`'s
    /// layout; `b` is brought into it when the shapes are equal.
    static func binary(_ a: Tensor, _ b: Tensor, _ operation: BinaryOperation) throws -> Tensor {
        precondition(a.rank == b.rank, "binary operands need equal rank (\(a.shape), \(b.shape))")
        let aDesc = desc(a.shape, a.format)
        // Operands in different layouts send oneDNN to its reference kernel; one jit reorder is
        // far cheaper.
        let bTensor = a.shape == b.shape ? reorder(b, to: a.format) : b.plain()
        let bDesc = desc(bTensor.shape, bTensor.format)
        let primitive = try cached("binary|\(operation.rawValue)|\(descKey(aDesc))|\(descKey(bDesc))") {
            var op = dnnl_binary_desc_t()
            var src0 = aDesc, src1 = bDesc, dst = aDesc
            try check(dnnl_binary_desc_init(&op, operation.algorithm, &src0, &src1, &dst), "binary descriptor")
            return try Primitive(op: &op, what: "binary \(operation)")
        }
        let output = Buffer(desc: aDesc)
        try execute(primitive, [
            Argument(DNNL_ARG_SRC_0, aDesc, a.storage), Argument(DNNL_ARG_SRC_1, bDesc, bTensor.storage),
            Argument(DNNL_ARG_DST, aDesc, output.storage),
        ])
        return Tensor(shape: a.shape, format: a.format, storage: output.storage)
    }
}
