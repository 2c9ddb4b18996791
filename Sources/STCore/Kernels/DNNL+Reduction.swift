import CDNNL

extension DNNL {
    /// Sum or mean over the axes where `outputShape` has size 1 (equal rank); plain output.
    static func reduce(_ x: Tensor, to outputShape: [Int], mean: Bool) throws -> Tensor {
        let source = x.plain()
        if source.shape == outputShape { return source }
        return try reduction(mean ? dnnl_reduction_mean : dnnl_reduction_sum, of: source.storage,
                             shape: source.shape, to: outputShape)
    }

    /// The smallest element of `x`'s storage, or with `largest` the largest, read as one flat
    /// array: the padded slots of a blocked layout (zeros) take part.
    static func storageExtreme(_ x: Tensor, largest: Bool) throws -> Float {
        try reduction(largest ? dnnl_reduction_max : dnnl_reduction_min, of: x.storage, shape: [x.storageCount],
                      to: [1]).scalar
    }

    /// `algorithm` over the axes where `outputShape` has size 1, of a plain tensor of `shape` held
    /// in `storage`; plain output.
    private static func reduction(_ algorithm: dnnl_alg_kind_t, of storage: TensorStorage, shape: [Int],
                                  to outputShape: [Int]) throws -> Tensor {
        let srcDesc = desc(shape)
        let dstDesc = desc(outputShape)
        let primitive = try cached("reduce|\(algorithm.rawValue)|\(shape)|\(outputShape)") {
            var op = dnnl_reduction_desc_t()
            var src = srcDesc, dst = dstDesc
            try check(dnnl_reduction_desc_init(&op, algorithm, &src, &dst, 0, 0), "reduction descriptor")
            return try Primitive(op: &op, what: "reduction")
        }
        let output = Tensor(uninitialized: outputShape)
        try execute(primitive, [Argument(DNNL_ARG_SRC, srcDesc, storage), Argument(DNNL_ARG_DST, dstDesc, output.storage)])
        return output
    }
}
