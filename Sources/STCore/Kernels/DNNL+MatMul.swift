import CDNNL

extension DNNL {
    /// A plain tensor viewed as a (batched) matrix through explicit dims and strides.
    struct MatrixView {
        let tensor: Tensor
        let dims: [Int]
        let strides: [Int]
        let offset: Int

        /// The tensor as stored, row-major.
        init(_ tensor: Tensor, dims: [Int]? = nil) {
            self.tensor = tensor.plain()
            self.dims = dims ?? tensor.shape
            strides = DNNL.rowMajorStrides(self.dims)
            offset = 0
        }

        init(_ tensor: Tensor, dims: [Int], strides: [Int], offset: Int = 0) {
            self.tensor = tensor.plain()
            self.dims = dims
            self.strides = strides
            self.offset = offset
        }

        /// The same matrix with its last two axes swapped (no copy).
        var transposed: MatrixView {
            var dims = self.dims, strides = self.strides
            dims.swapAt(dims.count - 1, dims.count - 2)
            strides.swapAt(strides.count - 1, strides.count - 2)
            return MatrixView(tensor, dims: dims, strides: strides, offset: offset)
        }

        var key: String { "\(dims)/\(strides)" }
    }

    /// `a × b (+ bias) (+ accumulate)`, batched over leading axes with broadcasting of size-1 batch
    /// axes. Returns a plain tensor of dims `[batch…, M, N]`.
    static func matmul(_ a: MatrixView, _ b: MatrixView, bias: Tensor? = nil, accumulate: Tensor? = nil) throws -> Tensor {
        precondition(a.dims.count == b.dims.count, "matmul operands need equal rank")
        let rank = a.dims.count
        var outputDims = zip(a.dims.prefix(rank - 2), b.dims.prefix(rank - 2)).map { max($0, $1) }
        outputDims += [a.dims[rank - 2], b.dims[rank - 1]]
        let biasDims = [Int](repeating: 1, count: rank - 1) + [outputDims[rank - 1]]
        let accumulates = accumulate != nil
        let primitive = try cached("matmul|\(a.key)|\(b.key)|\(bias != nil)|\(accumulates)") {
            var op = dnnl_matmul_desc_t()
            var src = desc(a.dims, strides: a.strides)
            var weights = desc(b.dims, strides: b.strides)
            var biasDesc = desc(biasDims)
            var dst = desc(outputDims)
            try check(optionalPointer(to: &biasDesc, if: bias != nil) { biasPointer in
                dnnl_matmul_desc_init(&op, &src, &weights, biasPointer, &dst)
            }, "matmul descriptor")
            guard accumulates else { return try Primitive(op: &op, what: "matmul \(a.dims)×\(b.dims)") }
            var attributes: dnnl_primitive_attr_t?
            var list: dnnl_post_ops_t?
            try check(dnnl_primitive_attr_create(&attributes), "attributes")
            defer { dnnl_primitive_attr_destroy(attributes) }
            try check(dnnl_post_ops_create(&list), "post-ops")
            defer { dnnl_post_ops_destroy(list) }
            try check(dnnl_post_ops_append_sum(list, 1), "sum post-op")
            try check(dnnl_primitive_attr_set_post_ops(attributes, list), "post-op attributes")
            return try Primitive(op: &op, attributes: attributes, what: "matmul \(a.dims)×\(b.dims)")
        }
        var output = accumulate.map { $0.plain() } ?? Tensor(uninitialized: outputDims)
        if accumulates {
            precondition(output.shape.reduce(1, *) == outputDims.reduce(1, *), "accumulator shape")
            output.withUnsafeMutableBufferPointer { _ in }
            output = output.reshaped(outputDims)
        }
        var arguments = [
            Argument(DNNL_ARG_SRC, desc(a.dims, strides: a.strides), a.tensor.storage, offset: a.offset),
            Argument(DNNL_ARG_WEIGHTS, desc(b.dims, strides: b.strides), b.tensor.storage, offset: b.offset),
            Argument(DNNL_ARG_DST, desc(outputDims), output.storage),
        ]
        if let bias {
            arguments.append(Argument(DNNL_ARG_BIAS, desc(biasDims), bias.plain().storage))
        }
        try execute(primitive, arguments)
        return output
    }
}
