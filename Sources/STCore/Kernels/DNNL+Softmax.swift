import CDNNL

extension DNNL {
    private static func softmaxPrimitive(_ data: Desc, axis: Int, log: Bool) throws -> Primitive {
        try cached("softmax|\(descKey(data))|\(axis)|\(log)") {
            var op = dnnl_softmax_v2_desc_t()
            var src = data, dst = data
            try check(dnnl_softmax_v2_forward_desc_init(&op, dnnl_forward_training, log ? dnnl_softmax_log : dnnl_softmax_accurate,
                                                        &src, &dst, Int32(axis)), "softmax descriptor")
            return try Primitive(op: &op, what: "softmax")
        }
    }

    /// Softmax (or log-softmax) along `axis`; plain layout.
    static func softmaxForward(_ x: Tensor, axis: Int, log: Bool) throws -> Tensor {
        let source = x.plain()
        let data = desc(source.shape)
        let primitive = try softmaxPrimitive(data, axis: axis, log: log)
        let output = Tensor(uninitialized: source.shape)
        try execute(primitive, [Argument(DNNL_ARG_SRC, data, source.storage), Argument(DNNL_ARG_DST, data, output.storage)])
        return output
    }

    /// Gradient of softmax (or log-softmax) from its output `y`.
    static func softmaxBackward(_ gradOutput: Tensor, output y: Tensor, axis: Int, log: Bool) throws -> Tensor {
        let data = desc(y.shape)
        let forward = try softmaxPrimitive(data, axis: axis, log: log)
        let primitive = try cached("softmax-bwd|\(descKey(data))|\(axis)|\(log)") {
            var op = dnnl_softmax_v2_desc_t()
            var diffSrc = data, diffDst = data, dst = data
            try check(dnnl_softmax_v2_backward_desc_init(&op, log ? dnnl_softmax_log : dnnl_softmax_accurate,
                                                         &diffSrc, &diffDst, &dst, Int32(axis)),
                      "softmax backward descriptor")
            return try Primitive(op: &op, hint: forward, what: "softmax backward")
        }
        let gradInput = Tensor(uninitialized: y.shape)
        try execute(primitive, [
            Argument(DNNL_ARG_DST, data, y.plain().storage),
            Argument(DNNL_ARG_DIFF_DST, data, gradOutput.plain().storage),
            Argument(DNNL_ARG_DIFF_SRC, data, gradInput.storage),
        ])
        return gradInput
    }
}
