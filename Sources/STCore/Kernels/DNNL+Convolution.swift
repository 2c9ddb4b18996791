import CDNNL

extension DNNL {
    /// Operations oneDNN applies to a convolution's output before writing it.
    struct PostOps {
        /// Added element-wise to the output (a residual connection), same shape as the output.
        var residual: Tensor?
        /// Apply ReLU last.
        var relu = false

        var key: String { "\(residual.map { "res\($0.format)" } ?? "")\(relu ? "relu" : "")" }
    }

    private static func attributes(for postOps: PostOps, outputDesc: Desc?) throws -> dnnl_primitive_attr_t? {
        guard postOps.residual != nil || postOps.relu else { return nil }
        var attributes: dnnl_primitive_attr_t?
        var list: dnnl_post_ops_t?
        try check(dnnl_primitive_attr_create(&attributes), "attributes")
        try check(dnnl_post_ops_create(&list), "post-ops")
        defer { dnnl_post_ops_destroy(list) }
        if let residual = postOps.residual {
            var residualDesc = outputDesc ?? desc(residual.shape, residual.format)
            try check(dnnl_post_ops_append_binary(list, dnnl_binary_add, &residualDesc), "binary post-op")
        }
        if postOps.relu {
            try check(dnnl_post_ops_append_eltwise(list, 1, dnnl_eltwise_relu, 0, 0), "relu post-op")
        }
        try check(dnnl_primitive_attr_set_post_ops(attributes, list), "post-op attributes")
        return attributes
    }

    private static func convolutionKey(_ kind: String, input: [Int], weight: [Int], output: [Int],
                                       geometry: ConvolutionGeometry, bias: Bool, extra: String = "") -> String {
        "conv-\(kind)|\(input)|\(weight)|\(output)|\(geometry.stride)|\(geometry.padding)|\(geometry.dilation)|g\(geometry.groups)|b\(bias)|\(extra)"
    }

    /// oneDNN's weight dims: `[groups, O/groups, I/groups, k…]` for grouped convolutions.
    private static func weightDims(_ weightShape: [Int], groups: Int) -> [Int] {
        guard groups > 1 else { return weightShape }
        return [groups, weightShape[0] / groups] + weightShape.dropFirst()
    }

    private static func forwardConvolutionDesc(input: [Int], weight: [Int], output: [Int], bias: Bool,
                                               geometry: ConvolutionGeometry, propagation: dnnl_prop_kind_t,
                                               inputDesc: Desc) throws -> dnnl_convolution_desc_t {
        var op = dnnl_convolution_desc_t()
        var src = inputDesc
        var weights = anyDesc(weightDims(weight, groups: geometry.groups))
        var biasDesc = desc([weight[0]])
        var dst = anyDesc(output)
        let window = geometry.oneDNNWindow(input: input, weight: weight, output: output)
        try check(optionalPointer(to: &biasDesc, if: bias) { biasPointer in
            dnnl_dilated_convolution_forward_desc_init(
                &op, propagation, dnnl_convolution_direct, &src, &weights, biasPointer, &dst,
                window.strides, window.dilation, window.left, window.right)
        }, "convolution descriptor")
        return op
    }

    /// The forward primitive; the source layout is left to oneDNN unless the input is plain with few
    /// channels (the first layer), where reordering the input would cost more than it saves.
    private static func convolutionForwardPrimitive(input: [Int], weight: [Int], output: [Int], bias: Bool,
                                                    geometry: ConvolutionGeometry, postOps: PostOps) throws -> Primitive {
        let key = convolutionKey("fwd", input: input, weight: weight, output: output, geometry: geometry,
                                 bias: bias, extra: postOps.key)
        return try cached(key) {
            var op = try forwardConvolutionDesc(input: input, weight: weight, output: output, bias: bias,
                                                geometry: geometry, propagation: dnnl_forward_training,
                                                inputDesc: anyDesc(input))
            let probe = try Primitive(op: &op, what: "convolution \(input)→\(output)")
            let chosenOutput = probe.desc(dnnl_query_dst_md)
            let attributes = try attributes(for: postOps, outputDesc: chosenOutput)
            defer { if let attributes { dnnl_primitive_attr_destroy(attributes) } }
            if attributes == nil { return probe }
            return try Primitive(op: &op, attributes: attributes, what: "fused convolution \(input)→\(output)")
        }
    }

    /// A convolution weight (PyTorch layout) in the layout a primitive chose, cached per version.
    private static func preparedConvolutionWeights(_ weight: Tensor, as target: Desc, groups: Int) throws -> Buffer {
        try prepared(weight, as: target, sourceDesc: desc(weightDims(weight.shape, groups: groups)),
                     key: "conv-w|\(descKey(target))")
    }

    /// N-d convolution (1, 2 or 3 spatial dims) with optional bias and fused post-ops.
    static func convolutionForward(_ x: Tensor, weight: Tensor, bias: Tensor?, geometry: ConvolutionGeometry,
                                   outputShape: [Int], postOps: PostOps = PostOps()) throws -> Tensor {
        let primitive = try convolutionForwardPrimitive(input: x.shape, weight: weight.shape, output: outputShape,
                                                        bias: bias != nil, geometry: geometry, postOps: postOps)
        let srcDesc = primitive.desc(dnnl_query_src_md)
        let weightsDesc = primitive.desc(dnnl_query_weights_md)
        let dstDesc = primitive.desc(dnnl_query_dst_md)
        let weights = try preparedConvolutionWeights(weight, as: weightsDesc, groups: geometry.groups)
        let output = Buffer(desc: dstDesc)
        var arguments = [
            Argument(DNNL_ARG_SRC, srcDesc, try conform(x, to: srcDesc)),
            Argument(DNNL_ARG_WEIGHTS, weightsDesc, weights.storage),
            Argument(DNNL_ARG_DST, dstDesc, output.storage),
        ]
        if let bias {
            arguments.append(Argument(DNNL_ARG_BIAS, desc([bias.count]), bias.plain().storage))
        }
        if let residual = postOps.residual {
            arguments.append(Argument(postOpSource(0), dstDesc, try conform(residual, to: dstDesc)))
        }
        try execute(primitive, arguments)
        return tensor(output.storage, shape: outputShape, chosen: dstDesc)
    }

    /// The backward-data primitive of a convolution (created with its forward one as the hint).
    private static func convolutionBackwardDataPrimitive(input: [Int], weight: [Int], output: [Int],
                                                         geometry: ConvolutionGeometry) throws -> Primitive {
        let forward = try convolutionForwardPrimitive(input: input, weight: weight, output: output,
                                                      bias: false, geometry: geometry, postOps: PostOps())
        let key = convolutionKey("bwd-data", input: input, weight: weight, output: output, geometry: geometry, bias: false)
        return try cached(key) {
            var op = dnnl_convolution_desc_t()
            var diffSrc = input[1] < 16 ? desc(input) : anyDesc(input)
            var weights = anyDesc(weightDims(weight, groups: geometry.groups))
            var diffDst = anyDesc(output)
            let window = geometry.oneDNNWindow(input: input, weight: weight, output: output)
            try check(dnnl_dilated_convolution_backward_data_desc_init(
                &op, dnnl_convolution_direct, &diffSrc, &weights, &diffDst,
                window.strides, window.dilation, window.left, window.right), "convolution backward-data descriptor")
            return try Primitive(op: &op, hint: forward, what: "convolution backward-data \(input)")
        }
    }

    /// Gradient of a convolution with respect to its input.
    static func convolutionBackwardData(_ gradOutput: Tensor, weight: Tensor, inputShape: [Int],
                                        geometry: ConvolutionGeometry) throws -> Tensor {
        let primitive = try convolutionBackwardDataPrimitive(input: inputShape, weight: weight.shape,
                                                             output: gradOutput.shape, geometry: geometry)
        let diffSrcDesc = primitive.desc(dnnl_query_diff_src_md)
        let weightsDesc = primitive.desc(dnnl_query_weights_md)
        let diffDstDesc = primitive.desc(dnnl_query_diff_dst_md)
        let weights = try preparedConvolutionWeights(weight, as: weightsDesc, groups: geometry.groups)
        let gradInput = Buffer(desc: diffSrcDesc)
        try execute(primitive, [
            Argument(DNNL_ARG_DIFF_DST, diffDstDesc, try conform(gradOutput, to: diffDstDesc)),
            Argument(DNNL_ARG_WEIGHTS, weightsDesc, weights.storage),
            Argument(DNNL_ARG_DIFF_SRC, diffSrcDesc, gradInput.storage),
        ])
        return tensor(gradInput.storage, shape: inputShape, chosen: diffSrcDesc)
    }

    /// Gradients of a convolution with respect to its weight (plain, PyTorch shape) and bias.
    static func convolutionBackwardWeights(_ x: Tensor, gradOutput: Tensor, weightShape: [Int],
                                           geometry: ConvolutionGeometry, bias: Bool) throws -> (weight: Tensor, bias: Tensor?) {
        let forward = try convolutionForwardPrimitive(input: x.shape, weight: weightShape, output: gradOutput.shape,
                                                      bias: bias, geometry: geometry, postOps: PostOps())
        let key = convolutionKey("bwd-weights", input: x.shape, weight: weightShape, output: gradOutput.shape,
                                 geometry: geometry, bias: bias)
        let oneDNNWeightDims = weightDims(weightShape, groups: geometry.groups)
        let primitive = try cached(key) {
            var op = dnnl_convolution_desc_t()
            var src = anyDesc(x.shape)
            var diffWeights = anyDesc(oneDNNWeightDims)
            var diffBias = desc([weightShape[0]])
            var diffDst = anyDesc(gradOutput.shape)
            let window = geometry.oneDNNWindow(input: x.shape, weight: weightShape, output: gradOutput.shape)
            try check(optionalPointer(to: &diffBias, if: bias) { biasPointer in
                dnnl_dilated_convolution_backward_weights_desc_init(
                    &op, dnnl_convolution_direct, &src, &diffWeights, biasPointer, &diffDst,
                    window.strides, window.dilation, window.left, window.right)
            }, "convolution backward-weights descriptor")
            return try Primitive(op: &op, hint: forward, what: "convolution backward-weights \(weightShape)")
        }
        let srcDesc = primitive.desc(dnnl_query_src_md)
        let diffDstDesc = primitive.desc(dnnl_query_diff_dst_md)
        let diffWeightsDesc = primitive.desc(dnnl_query_diff_weights_md)
        let gradWeightBuffer = Buffer(desc: diffWeightsDesc)
        let gradBias = bias ? Tensor(uninitialized: [weightShape[0]]) : nil
        var arguments = [
            Argument(DNNL_ARG_SRC, srcDesc, try conform(x, to: srcDesc)),
            Argument(DNNL_ARG_DIFF_DST, diffDstDesc, try conform(gradOutput, to: diffDstDesc)),
            Argument(DNNL_ARG_DIFF_WEIGHTS, diffWeightsDesc, gradWeightBuffer.storage),
        ]
        if let gradBias {
            arguments.append(Argument(DNNL_ARG_DIFF_BIAS, desc([weightShape[0]]), gradBias.storage))
        }
        try execute(primitive, arguments)
        let plainWeights = desc(oneDNNWeightDims)
        let gradWeight = equal(diffWeightsDesc, plainWeights)
            ? gradWeightBuffer.storage
            : try reorder(gradWeightBuffer.storage, from: diffWeightsDesc, to: plainWeights)
        return (Tensor(shape: weightShape, format: .plain, storage: gradWeight), gradBias)
    }

    /// The bare forward or backward-data primitive of a convolution, bound to fresh buffers in the
    /// layouts it chose (contents unset) and a scratchpad of its own.
    static func bareConvolution(input: [Int], weight: [Int], output: [Int], geometry: ConvolutionGeometry,
                                backwardData: Bool) throws -> Execution {
        let primitive = backwardData
            ? try convolutionBackwardDataPrimitive(input: input, weight: weight, output: output, geometry: geometry)
            : try convolutionForwardPrimitive(input: input, weight: weight, output: output, bias: false,
                                              geometry: geometry, postOps: PostOps())
        let slots = backwardData ? [DNNL_ARG_DIFF_DST, DNNL_ARG_WEIGHTS, DNNL_ARG_DIFF_SRC]
                                 : [DNNL_ARG_SRC, DNNL_ARG_WEIGHTS, DNNL_ARG_DST]
        let arguments = slots.map { slot in
            let buffer = Buffer(desc: primitive.desc(dnnl_query_exec_arg_md, slot))
            return Argument(slot, buffer.desc, buffer.storage)
        }
        return try Execution(primitive, arguments, scratchpad: Execution.scratchpad(for: primitive))
    }
}

extension ConvolutionGeometry {
    func oneDNNWindow(input: [Int], weight: [Int], output: [Int]) -> DNNL.Window {
        DNNL.Window(stride: stride, kernel: Array(weight.dropFirst(2)), dilation: dilation, padding: padding,
                    rightPadding: rightPadding(input: input, weight: weight, output: output))
    }
}
