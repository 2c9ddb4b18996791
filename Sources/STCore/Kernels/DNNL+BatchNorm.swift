import CDNNL

extension DNNL {
    private static func batchNormPrimitive(_ data: Desc, epsilon: Float, flags: UInt32,
                                           propagation: dnnl_prop_kind_t) throws -> Primitive {
        try cached("bn|\(descKey(data))|\(epsilon)|\(flags)|\(propagation.rawValue)") {
            var op = dnnl_batch_normalization_desc_t()
            var data = data
            try check(dnnl_batch_normalization_forward_desc_init(&op, propagation, &data, epsilon, flags),
                      "batch norm descriptor")
            return try Primitive(op: &op, what: "batch norm")
        }
    }

    /// Flags for normalisations with a scale and a shift (batch and layer norm).
    static let scaleShiftFlags = dnnl_use_scale.rawValue | dnnl_use_shift.rawValue

    /// Batch norm with given statistics: `y = (x − mean)/√(var + ε)·scale + shift`, per channel (axis 1).
    static func batchNormInference(_ x: Tensor, mean: Tensor, variance: Tensor, scale: Tensor, shift: Tensor,
                                   epsilon: Float) throws -> Tensor {
        let data = desc(x.shape, x.format)
        let primitive = try batchNormPrimitive(data, epsilon: epsilon,
                                               flags: scaleShiftFlags | dnnl_use_global_stats.rawValue,
                                               propagation: dnnl_forward_inference)
        let channels = desc([x.shape[1]])
        let output = Buffer(desc: data)
        try execute(primitive, [
            Argument(DNNL_ARG_SRC, data, x.storage), Argument(DNNL_ARG_DST, data, output.storage),
            Argument(DNNL_ARG_MEAN, channels, mean.plain().storage),
            Argument(DNNL_ARG_VARIANCE, channels, variance.plain().storage),
            Argument(DNNL_ARG_SCALE, channels, scale.plain().storage),
            Argument(DNNL_ARG_SHIFT, channels, shift.plain().storage),
        ])
        return Tensor(shape: x.shape, format: x.format, storage: output.storage)
    }

    /// Batch norm with the batch's own statistics; returns the output, the batch mean and the
    /// biased batch variance.
    static func batchNormTraining(_ x: Tensor, scale: Tensor, shift: Tensor,
                                  epsilon: Float) throws -> (output: Tensor, mean: Tensor, variance: Tensor) {
        let data = desc(x.shape, x.format)
        let primitive = try batchNormPrimitive(data, epsilon: epsilon, flags: scaleShiftFlags,
                                               propagation: dnnl_forward_training)
        let channels = desc([x.shape[1]])
        let output = Buffer(desc: data)
        let mean = Tensor(uninitialized: [x.shape[1]])
        let variance = Tensor(uninitialized: [x.shape[1]])
        try execute(primitive, [
            Argument(DNNL_ARG_SRC, data, x.storage), Argument(DNNL_ARG_DST, data, output.storage),
            Argument(DNNL_ARG_MEAN, channels, mean.storage), Argument(DNNL_ARG_VARIANCE, channels, variance.storage),
            Argument(DNNL_ARG_SCALE, channels, scale.plain().storage),
            Argument(DNNL_ARG_SHIFT, channels, shift.plain().storage),
        ])
        return (Tensor(shape: x.shape, format: x.format, storage: output.storage), mean, variance)
    }

    /// Gradients of batch norm with respect to input, scale and shift. With `globalStatistics` the
    /// statistics are constants (inference mode); otherwise they are the batch's own.
    static func batchNormBackward(_ gradOutput: Tensor, input x: Tensor, mean: Tensor, variance: Tensor,
                                  scale: Tensor, shift: Tensor, epsilon: Float,
                                  globalStatistics: Bool) throws -> (input: Tensor, scale: Tensor, shift: Tensor) {
        let data = desc(x.shape, x.format)
        let flags = scaleShiftFlags | (globalStatistics ? dnnl_use_global_stats.rawValue : 0)
        let forward = try batchNormPrimitive(data, epsilon: epsilon, flags: flags, propagation: dnnl_forward_training)
        let primitive = try cached("bn-bwd|\(descKey(data))|\(epsilon)|\(flags)") {
            var op = dnnl_batch_normalization_desc_t()
            var diff = data, source = data
            try check(dnnl_batch_normalization_backward_desc_init(&op, dnnl_backward, &diff, &source, epsilon, flags),
                      "batch norm backward descriptor")
            return try Primitive(op: &op, hint: forward, what: "batch norm backward")
        }
        let channels = desc([x.shape[1]])
        let gradInput = Buffer(desc: data)
        let gradScale = Tensor(uninitialized: [x.shape[1]])
        let gradShift = Tensor(uninitialized: [x.shape[1]])
        try execute(primitive, [
            Argument(DNNL_ARG_SRC, data, x.storage),
            Argument(DNNL_ARG_DIFF_DST, data, try conform(gradOutput, to: data)),
            Argument(DNNL_ARG_MEAN, channels, mean.plain().storage),
            Argument(DNNL_ARG_VARIANCE, channels, variance.plain().storage),
            Argument(DNNL_ARG_SCALE, channels, scale.plain().storage),
            Argument(DNNL_ARG_SHIFT, channels, shift.plain().storage),
            Argument(DNNL_ARG_DIFF_SRC, data, gradInput.storage),
            Argument(DNNL_ARG_DIFF_SCALE, channels, gradScale.storage),
            Argument(DNNL_ARG_DIFF_SHIFT, channels, gradShift.storage),
        ])
        return (Tensor(shape: x.shape, format: x.format, storage: gradInput.storage), gradScale, gradShift)
    }
}
