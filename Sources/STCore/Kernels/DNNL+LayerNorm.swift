import CDNNL

extension DNNL {
    /// The layer norm primitive over the last axis of `rows × width` data, with scale and shift.
    private static func layerNormPrimitive(rows: Int, width: Int, epsilon: Float,
                                           propagation: dnnl_prop_kind_t) throws -> Primitive {
        try cached("ln|\(rows)|\(width)|\(epsilon)|\(propagation.rawValue)") {
            var op = dnnl_layer_normalization_desc_t()
            var data = desc([rows, width])
            var statistics = desc([rows])
            try check(dnnl_layer_normalization_forward_desc_init(&op, propagation, &data, &statistics, epsilon,
                                                                 scaleShiftFlags),
                      "layer norm descriptor")
            return try Primitive(op: &op, what: "layer norm")
        }
    }

    /// Layer norm of the rows of a plain `rows × width` tensor: y = (x − μ)/√(σ² + ε)·scale + shift
    /// with μ and the biased σ² of each row, and `scale`, `shift` of shape `(width)`.
    static func layerNormInference(_ x: Tensor, scale: Tensor, shift: Tensor, epsilon: Float) throws -> Tensor {
        let primitive = try layerNormPrimitive(rows: x.shape[0], width: x.shape[1], epsilon: epsilon,
                                               propagation: dnnl_forward_inference)
        let output = Tensor(uninitialized: x.shape)
        try execute(primitive, layerNormArguments(x, output: output, scale: scale, shift: shift))
        return output
    }

    /// Layer norm as `layerNormInference`, also returning each row's mean and biased variance.
    static func layerNormTraining(_ x: Tensor, scale: Tensor, shift: Tensor,
                                  epsilon: Float) throws -> (output: Tensor, mean: Tensor, variance: Tensor) {
        let rows = x.shape[0]
        let primitive = try layerNormPrimitive(rows: rows, width: x.shape[1], epsilon: epsilon,
                                               propagation: dnnl_forward_training)
        let output = Tensor(uninitialized: x.shape)
        let mean = Tensor(uninitialized: [rows])
        let variance = Tensor(uninitialized: [rows])
        try execute(primitive, layerNormArguments(x, output: output, scale: scale, shift: shift) + [
            Argument(DNNL_ARG_MEAN, desc([rows]), mean.storage), Argument(DNNL_ARG_VARIANCE, desc([rows]), variance.storage),
        ])
        return (output, mean, variance)
    }

    /// The source, destination, scale and shift arguments of a layer norm forward pass.
    private static func layerNormArguments(_ x: Tensor, output: Tensor, scale: Tensor, shift: Tensor) -> [Argument] {
        let (data, channels) = (desc(x.shape), desc([x.shape[1]]))
        return [
            Argument(DNNL_ARG_SRC, data, x.plain().storage), Argument(DNNL_ARG_DST, data, output.storage),
            Argument(DNNL_ARG_SCALE, channels, scale.plain().storage),
            Argument(DNNL_ARG_SHIFT, channels, shift.plain().storage),
        ]
    }

    /// Gradients of layer norm over the rows of a plain `rows × width` tensor with respect to its
    /// input, scale and shift, given the rows' `mean` and biased `variance` from the forward pass.
    /// (oneDNN 2.6 implements no data-only backward pass of a layer norm with scale: the parameter
    /// gradients always come along.)
    static func layerNormBackward(_ gradOutput: Tensor, input x: Tensor, mean: Tensor, variance: Tensor, scale: Tensor,
                                  shift: Tensor, epsilon: Float) throws -> (input: Tensor, scale: Tensor, shift: Tensor) {
        let (rows, width) = (x.shape[0], x.shape[1])
        let forward = try layerNormPrimitive(rows: rows, width: width, epsilon: epsilon, propagation: dnnl_forward_training)
        let primitive = try cached("ln-bwd|\(rows)|\(width)|\(epsilon)") {
            var op = dnnl_layer_normalization_desc_t()
            var diff = desc([rows, width]), source = desc([rows, width])
            var statistics = desc([rows])
            try check(dnnl_layer_normalization_backward_desc_init(&op, dnnl_backward, &diff, &source, &statistics, epsilon,
                                                                  scaleShiftFlags),
                      "layer norm backward descriptor")
            return try Primitive(op: &op, hint: forward, what: "layer norm backward")
        }
        let (data, channels, perRow) = (desc([rows, width]), desc([width]), desc([rows]))
        let gradInput = Tensor(uninitialized: x.shape)
        let gradScale = Tensor(uninitialized: [width])
        let gradShift = Tensor(uninitialized: [width])
        try execute(primitive, [
            Argument(DNNL_ARG_SRC, data, x.plain().storage),
            Argument(DNNL_ARG_DIFF_DST, data, gradOutput.plain().storage),
            Argument(DNNL_ARG_MEAN, perRow, mean.plain().storage),
            Argument(DNNL_ARG_VARIANCE, perRow, variance.plain().storage),
            Argument(DNNL_ARG_SCALE, channels, scale.plain().storage),
            Argument(DNNL_ARG_SHIFT, channels, shift.plain().storage),
            Argument(DNNL_ARG_DIFF_SRC, data, gradInput.storage),
            Argument(DNNL_ARG_DIFF_SCALE, channels, gradScale.storage),
            Argument(DNNL_ARG_DIFF_SHIFT, channels, gradShift.storage),
        ])
        return (gradInput, gradScale, gradShift)
    }
}
