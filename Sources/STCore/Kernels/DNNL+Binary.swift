import CDNNL

extension DNNL {
    /// Element-wise binary operations.
    enum BinaryOperation: String {
        case add, mul, sub, div
        /// 1 where the first operand is at least the second, 0 elsewhere.
        case greaterOrEqual

        var algorithm: dnnl_alg_kind_t {
            switch self {
            case .add: return dnnl_binary_add
            case .mul: return dnnl_binary_mul
            case .sub: return dnnl_binary_sub
            case .div: return dnnl_binary_div
            case .greaterOrEqual: return dnnl_binary_ge
            }
        }
    }

    /// An operation oneDNN applies to the result of a binary primitive before writing it; a list
    /// of them runs in order, fused into the one pass over memory.
    enum BinaryPostOp {
        /// scale·v + shift.
        case linear(scale: Float, shift: Float)
        /// 1/v: oneDNN's pow with α = 1 and β = −1, which its kernels compute as a division.
        case reciprocal
        /// v ∘ operand, for an operand of the result's shape and layout.
        case binary(BinaryOperation, Tensor)

        var key: String {
            switch self {
            case .linear(let scale, let shift): return "linear(\(scale),\(shift))"
            case .reciprocal: return "reciprocal"
            case .binary(let operation, _): return operation.rawValue
            }
        }
    }

    /// `a ∘ b` where `b` broadcasts to `a`'s shape (size-1 axes, equal rank). The result has `a`'s
    /// layout; `b` is brought into it when the shapes are equal.
    static func binary(_ a: Tensor, _ b: Tensor, _ operation: BinaryOperation) throws -> Tensor {
        precondition(a.rank == b.rank, "binary operands need equal rank (\(a.shape), \(b.shape))")
        // Operands in different layouts send oneDNN to its reference kernel; one jit reorder is
        // far cheaper.
        let bTensor = a.shape == b.shape ? reorder(b, to: a.format) : b.plain()
        let output = try binary(operation, a, desc(a.shape, a.format), bTensor, desc(bTensor.shape, bTensor.format))
        return Tensor(shape: a.shape, format: a.format, storage: output)
    }

    /// `(scales.a·a) ∘ (scales.b·b)` followed by `postOps`, on the storages of tensors of one shape
    /// and layout read as flat arrays, padded slots included: element-wise arithmetic, on which
    /// the layout has no bearing, and which oneDNN's jit kernels run on any layout this way (a
    /// blocked layout whose channels do not fill the last block sends eltwise and division
    /// post-ops to the reference kernel). `b` may instead be a plain single element, broadcast.
    /// Binary post-op operands have `a`'s shape and layout.
    ///
    /// The result has `a`'s shape and layout. Its padded slots hold the formula applied to zeros,
    /// which every caller keeps at zero. With `output`, a tensor of `a`'s shape and layout whose
    /// storage the caller owns alone (it may be an operand too), the result is written into that
    /// storage instead of a new one — added to its contents when `accumulating` (oneDNN's sum
    /// post-op, last).
    static func flatBinary(_ a: Tensor, _ b: Tensor, _ operation: BinaryOperation, scales: (a: Float, b: Float) = (1, 1),
                           postOps: [BinaryPostOp] = [], into output: Tensor? = nil,
                           accumulating: Bool = false) throws -> Tensor {
        let matches = { (x: Tensor) in x.shape == a.shape && x.format == a.format }
        precondition(matches(b) || (b.count == 1 && b.format == .plain),
                     "flat operands \(a.shape) \(a.format) and \(b.shape) \(b.format)")
        precondition(output.map(matches) ?? !accumulating, "output \(output?.shape ?? []) for \(a.shape) \(a.format)")
        for case .binary(_, let operand) in postOps {
            precondition(matches(operand), "post-op operand \(operand.shape) \(operand.format) for \(a.shape) \(a.format)")
        }
        let flat = desc([a.storageCount])
        let result = try binary(operation, a, flat, b, matches(b) ? flat : desc([1]), scales: scales, postOps: postOps,
                                into: output?.storage, accumulating: accumulating)
        return Tensor(shape: a.shape, format: a.format, storage: result)
    }

    /// The binary primitive on `a` and `b` as described by `aDesc` and `bDesc`, into `output` or a
    /// new buffer; the result, and each binary post-op operand, is laid out as `aDesc`.
    private static func binary(_ operation: BinaryOperation, _ a: Tensor, _ aDesc: Desc, _ b: Tensor, _ bDesc: Desc,
                               scales: (a: Float, b: Float) = (1, 1), postOps: [BinaryPostOp] = [],
                               into output: TensorStorage? = nil, accumulating: Bool = false) throws -> TensorStorage {
        let key = "binary|\(operation.rawValue)|\(descKey(aDesc))|\(descKey(bDesc))|\(scales)|\(postOps.map(\.key))|"
            + "\(accumulating)"
        let primitive = try cached(key) {
            var op = dnnl_binary_desc_t()
            var src0 = aDesc, src1 = bDesc, dst = aDesc
            try check(dnnl_binary_desc_init(&op, operation.algorithm, &src0, &src1, &dst), "binary descriptor")
            let attributes = try binaryAttributes(scales: scales, postOps: postOps, accumulates: accumulating,
                                                  resultDesc: aDesc)
            defer { if let attributes { dnnl_primitive_attr_destroy(attributes) } }
            return try Primitive(op: &op, attributes: attributes, what: "binary \(operation)")
        }
        let result = output ?? Buffer(desc: aDesc).storage
        var arguments = [
            Argument(DNNL_ARG_SRC_0, aDesc, a.storage), Argument(DNNL_ARG_SRC_1, bDesc, b.storage),
            Argument(DNNL_ARG_DST, aDesc, result),
        ]
        for (index, postOp) in postOps.enumerated() {
            guard case .binary(_, let operand) = postOp else { continue }
            arguments.append(Argument(postOpSource(index), aDesc, operand.storage))
        }
        try execute(primitive, arguments)
        return result
    }

    /// The attributes of a binary primitive with `scales`, `postOps` and, when `accumulates`, a
    /// sum post-op; nil when it has none of them.
    private static func binaryAttributes(scales: (a: Float, b: Float), postOps: [BinaryPostOp], accumulates: Bool,
                                         resultDesc: Desc) throws -> dnnl_primitive_attr_t? {
        guard scales != (1, 1) || !postOps.isEmpty || accumulates else { return nil }
        var attributes: dnnl_primitive_attr_t?
        try check(dnnl_primitive_attr_create(&attributes), "attributes")
        for (slot, scale) in [(DNNL_ARG_SRC_0, scales.a), (DNNL_ARG_SRC_1, scales.b)] where scale != 1 {
            var value = scale
            try check(dnnl_primitive_attr_set_scales(attributes, slot, 1, 0, &value), "binary scales")
        }
        var list: dnnl_post_ops_t?
        try check(dnnl_post_ops_create(&list), "post-ops")
        defer { dnnl_post_ops_destroy(list) }
        for postOp in postOps {
            switch postOp {
            case .linear(let scale, let shift):
                try check(dnnl_post_ops_append_eltwise(list, 1, dnnl_eltwise_linear, scale, shift), "linear post-op")
            case .reciprocal:
                try check(dnnl_post_ops_append_eltwise(list, 1, dnnl_eltwise_pow, 1, -1), "reciprocal post-op")
            case .binary(let operation, _):
                var operandDesc = resultDesc
                try check(dnnl_post_ops_append_binary(list, operation.algorithm, &operandDesc), "binary post-op")
            }
        }
        if accumulates {
            try check(dnnl_post_ops_append_sum(list, 1), "sum post-op")
        }
        try check(dnnl_primitive_attr_set_post_ops(attributes, list), "post-op attributes")
        return attributes
    }
}
