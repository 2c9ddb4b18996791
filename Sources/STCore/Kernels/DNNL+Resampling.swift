import CDNNL

extension DNNL {
    /// Linear, bilinear or trilinear resampling of an `N × C × spatial…` tensor to `outputShape`
    /// (same N and C); plain output. Along an axis resized from `in` to `out`, output position `o`
    /// interpolates linearly at input coordinate `(o + 0.5)·in/out − 0.5` between its neighbours
    /// clamped into `[0, in − 1]` (see `Resampling.linear` for the exact arithmetic).
    static func linearResampling(_ x: Tensor, to outputShape: [Int]) throws -> Tensor {
        let source = x.plain()
        let srcDesc = desc(source.shape)
        let dstDesc = desc(outputShape)
        let primitive = try cached("resampling-linear|\(source.shape)|\(outputShape)") {
            var op = dnnl_resampling_desc_t()
            var src = srcDesc, dst = dstDesc
            try check(dnnl_resampling_forward_desc_init(&op, dnnl_forward_inference, dnnl_resampling_linear, nil, &src, &dst),
                      "resampling descriptor")
            return try Primitive(op: &op, what: "linear resampling \(source.shape)→\(outputShape)")
        }
        let output = Tensor(uninitialized: outputShape)
        try execute(primitive, [Argument(DNNL_ARG_SRC, srcDesc, source.storage), Argument(DNNL_ARG_DST, dstDesc, output.storage)])
        return output
    }
}
