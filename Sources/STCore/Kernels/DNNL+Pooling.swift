import CDNNL

extension DNNL {
    /// What a pooling forward pass leaves for its backward pass (max pooling's argmax workspace).
    struct PoolingWorkspace {
        let buffer: Buffer?
    }

    private static func poolingAlgorithm(_ kind: PoolingKind) -> dnnl_alg_kind_t {
        switch kind {
        case .max: return dnnl_pooling_max
        case .average(countIncludePad: true): return dnnl_pooling_avg_include_padding
        case .average(countIncludePad: false): return dnnl_pooling_avg_exclude_padding
        }
    }

    private static func poolingForwardPrimitive(input: Desc, inputShape: [Int], output: [Int],
                                                geometry: PoolingGeometry, kind: PoolingKind) throws -> Primitive {
        try cached("pool-fwd|\(descKey(input))|\(output)|\(geometry)|\(kind)") {
            var op = dnnl_pooling_v2_desc_t()
            var src = input
            var dst = anyDesc(output)
            let window = geometry.oneDNNWindow(input: inputShape, output: output)
            try check(dnnl_pooling_v2_forward_desc_init(&op, dnnl_forward_training, poolingAlgorithm(kind), &src, &dst,
                                                        window.strides, window.kernel, window.dilation, window.left, window.right),
                      "pooling descriptor")
            return try Primitive(op: &op, what: "pooling \(inputShape)→\(output)")
        }
    }

    /// Max or average pooling over the trailing spatial axes; keeps the input's layout.
    static func poolingForward(_ x: Tensor, outputShape: [Int], geometry: PoolingGeometry,
                               kind: PoolingKind) throws -> (output: Tensor, workspace: PoolingWorkspace) {
        let inputDesc = desc(x.shape, x.format)
        let primitive = try poolingForwardPrimitive(input: inputDesc, inputShape: x.shape, output: outputShape,
                                                    geometry: geometry, kind: kind)
        let dstDesc = primitive.desc(dnnl_query_dst_md)
        let output = Buffer(desc: dstDesc)
        var arguments = [Argument(DNNL_ARG_SRC, inputDesc, x.storage), Argument(DNNL_ARG_DST, dstDesc, output.storage)]
        var workspace: Buffer?
        if case .max = kind {
            let workspaceDesc = primitive.desc(dnnl_query_workspace_md)
            let buffer = Buffer(desc: workspaceDesc)
            arguments.append(Argument(DNNL_ARG_WORKSPACE, workspaceDesc, buffer.storage))
            workspace = buffer
        }
        try execute(primitive, arguments)
        return (tensor(output.storage, shape: outputShape, chosen: dstDesc), PoolingWorkspace(buffer: workspace))
    }

    /// Gradient of pooling with respect to its input (max: to the argmax; average: spread evenly).
    static func poolingBackward(_ gradOutput: Tensor, input: Tensor, geometry: PoolingGeometry, kind: PoolingKind,
                                workspace: PoolingWorkspace) throws -> Tensor {
        let inputDesc = desc(input.shape, input.format)
        let forward = try poolingForwardPrimitive(input: inputDesc, inputShape: input.shape, output: gradOutput.shape,
                                                  geometry: geometry, kind: kind)
        let dstDesc = forward.desc(dnnl_query_dst_md)
        let primitive = try cached("pool-bwd|\(descKey(inputDesc))|\(gradOutput.shape)|\(geometry)|\(kind)") {
            var op = dnnl_pooling_v2_desc_t()
            var diffSrc = inputDesc
            var diffDst = dstDesc
            let window = geometry.oneDNNWindow(input: input.shape, output: gradOutput.shape)
            try check(dnnl_pooling_v2_backward_desc_init(&op, poolingAlgorithm(kind), &diffSrc, &diffDst,
                                                         window.strides, window.kernel, window.dilation, window.left, window.right),
                      "pooling backward descriptor")
            return try Primitive(op: &op, hint: forward, what: "pooling backward \(input.shape)")
        }
        let gradInput = Buffer(desc: inputDesc)
        var arguments = [
            Argument(DNNL_ARG_DIFF_DST, dstDesc, try conform(gradOutput, to: dstDesc)),
            Argument(DNNL_ARG_DIFF_SRC, inputDesc, gradInput.storage),
        ]
        if let buffer = workspace.buffer {
            arguments.append(Argument(DNNL_ARG_WORKSPACE, buffer.desc, buffer.storage))
        }
        try execute(primitive, arguments)
        return Tensor(shape: input.shape, format: input.format, storage: gradInput.storage)
    }
}

extension PoolingGeometry {
    func oneDNNWindow(input: [Int], output: [Int]) -> DNNL.Window {
        DNNL.Window(stride: stride, kernel: kernel, dilation: dilation, padding: padding,
                    rightPadding: rightPadding(input: input, output: output))
    }
}
