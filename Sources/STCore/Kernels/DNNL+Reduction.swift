import CDNNL

extension DNNL {
    /// Sum or mean over the axes where `outputShape` has size 1 (equal rank); plain output.
    static func reduce(_ x: Tensor, to outputShape: [Int], mean: Bool) throws -> Tensor {
        let source = x.plain()
        if source.shape == outputShape { return source }
        let srcDesc = desc(source.shape)
        let dstDesc = desc(outputShape)
        let primitive = try cached("reduce|\(source.shape)|\(outputShape)|\(mean)") {
            var op = dnnl_reduction_desc_t()
            var src = srcDesc, dst = dstDesc
            try check(dnnl_reduction_desc_init(&op, mean ? dnnl_reduction_mean : dnnl_reduction_sum, &src, &dst, 0, 0),
                      "reduction descriptor")
            return try Primitive(op: &op, what: "reduction")
        }
        let output = Tensor(uninitialized: outputShape)
        try execute(primitive, [Argument(DNNL_ARG_SRC, srcDesc, source.storage), Argument(DNNL_ARG_DST, dstDesc, output.storage)])
        return output
    }
}
