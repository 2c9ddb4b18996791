import STCore

/// Conv, BatchNormalization, pooling and Pad: the spatial layers of a CNN.
extension ONNXGraphConverter {
    /// `Conv` (1D/2D/3D; `strides`, `pads` or `auto_pad`, `dilations`, `group`) → `Convolution`,
    /// weight `O × C/group × k…` and optional bias named after their initializers. A preceding
    /// zero `Pad` is folded into the padding.
    mutating func convertConvolution(_ node: ONNXNode) throws {
        let padded = try paddedInput(node)
        guard let weight = try constantInput(node, 1, role: "weight") else {
            throw ONNXImportIssue.malformed("it has no weight")
        }
        let bias = try constantInput(node, 2, role: "bias")
        let spatial = weight.shape.count - 2
        guard spatial >= 1, shape(padded.input).count == spatial + 2 else {
            throw ONNXImportIssue.malformed("weight \(weight.shape) does not fit input \(shape(padded.input))")
        }
        let kernel = Array(weight.shape.dropFirst(2))
        let strides = try node.ints("strides") ?? Array(repeating: 1, count: spatial)
        let dilations = try node.ints("dilations") ?? Array(repeating: 1, count: spatial)
        let padding = try symmetricPadding(node, padded: padded, kernel: kernel, strides: strides, dilations: dilations)
        let groups = try node.int("group", default: 1)
        guard groups >= 1 else { throw ONNXImportIssue.malformed("group \(groups)") }
        let geometry = ConvolutionGeometry(stride: strides, padding: padding, dilation: dilations, groups: groups)
        var parameters = [ONNXStateEntry(role: "weight", value: weight.tensor, preferredKey: weight.initializer)]
        if let bias { parameters.append(ONNXStateEntry(role: "bias", value: bias.tensor, preferredKey: bias.initializer)) }
        let output = try addNode(node.name, Convolution(geometry: geometry, bias: bias != nil), inputs: [padded.input],
                                 parameters: parameters)
        bind(node.outputs[0], to: .node(output))
    }

    /// `BatchNormalization` (inference) → `BatchNorm` with ε = `epsilon` and PyTorch's momentum
    /// 1 − `momentum`; scale/B are the parameters `weight`/`bias`, mean/var the buffers
    /// `running_mean`/`running_var`, each named after its initializer.
    mutating func convertBatchNorm(_ node: ONNXNode) throws {
        guard try node.int("training_mode", default: 0) == 0 else {
            throw ONNXImportIssue.unsupported("training_mode = 1 (batch statistics) is not imported")
        }
        let input = try tensorInput(node, 0)
        let state = try [(1, "weight"), (2, "bias"), (3, "running_mean"), (4, "running_var")].map { index, role in
            guard let value = try constantInput(node, index, role: role) else {
                throw ONNXImportIssue.malformed("input \(index) (\(role)) is missing")
            }
            return ONNXStateEntry(role: role, value: value.tensor, preferredKey: value.initializer)
        }
        let op = BatchNorm(epsilon: try node.float("epsilon", default: 1e-5), momentum: 1 - (try node.float("momentum", default: 0.9)))
        bind(node.outputs[0], to: .node(try addNode(node.name, op, inputs: [input], parameters: Array(state[..<2]),
                                                    buffers: Array(state[2...]))))
    }

    /// `MaxPool` / `AveragePool` (`kernel_shape`, `strides` (default 1), `pads`/`auto_pad`,
    /// `dilations` (max only), `ceil_mode`, `count_include_pad`) → `Pooling`. An average pool
    /// absorbs a preceding zero `Pad` when its own padding is zero or counted.
    mutating func convertPooling(_ node: ONNXNode) throws {
        let isMax = node.opType == "MaxPool"
        let padded = isMax ? PaddedInput(input: try tensorInput(node, 0)) : try paddedInput(node)
        guard let kernel = try node.ints("kernel_shape") else { throw ONNXImportIssue.malformed("kernel_shape is missing") }
        let spatial = kernel.count
        let strides = try node.ints("strides") ?? Array(repeating: 1, count: spatial)
        let dilations = try node.ints("dilations") ?? Array(repeating: 1, count: spatial)
        let ceilMode = try node.int("ceil_mode", default: 0) != 0
        let countIncludePad = try node.int("count_include_pad", default: 0) != 0
        let padding = try symmetricPadding(node, padded: padded, kernel: kernel, strides: strides, dilations: dilations)
        if !isMax && dilations.contains(where: { $0 != 1 }) {
            throw ONNXImportIssue.unsupported("average pooling with dilations \(dilations)")
        }
        if padded.absorbsPad && (ceilMode || (!countIncludePad && padding != padded.begin)) {
            let pad = Self.unfoldedPad(padded.padNode ?? node.name)
            throw ONNXImportIssue.unsupported(pad.detail, op: pad.op, node: pad.node)
        }
        guard zip(padding, kernel).allSatisfy({ $0 <= $1 / 2 }) else {
            throw ONNXImportIssue.unsupported("padding \(padding) above half the kernel \(kernel)")
        }
        let kind: PoolingKind = isMax ? .max : .average(countIncludePad: countIncludePad || padded.absorbsPad)
        let geometry = PoolingGeometry(kernel: kernel, stride: strides, padding: padding, dilation: dilations, ceilMode: ceilMode)
        bind(node.outputs[0], to: .node(try addNode(node.name, Pooling(kind, geometry: geometry), inputs: [padded.input])))
        if node.outputs.count > 1 {
            markUnavailable([node.outputs[1]], report: UnsupportedOperator(op: "MaxPool", node: node.name,
                                                                           detail: "its Indices output is not computed"))
        }
    }

    /// `GlobalAveragePool` → `AdaptiveAveragePool` to size 1; `GlobalMaxPool` → max `Pooling`
    /// whose window is the whole (import-time) spatial extent.
    mutating func convertGlobalPooling(_ node: ONNXNode) throws {
        let input = try tensorInput(node, 0)
        guard shape(input).count >= 3 else { throw ONNXImportIssue.malformed("input \(shape(input)) has no spatial axes") }
        let spatial = Array(shape(input).dropFirst(2))
        let op: any Op = node.opType == "GlobalMaxPool"
            ? Pooling(.max, geometry: PoolingGeometry(kernel: spatial))
            : AdaptiveAveragePool.global(spatialRank: spatial.count)
        bind(node.outputs[0], to: .node(try addNode(node.name, op, inputs: [input])))
    }

    /// `Pad`: nothing when every pad is 0; constant zero padding of the spatial axes is kept as
    /// a pending `.zeroPadded` value for a following `Conv` or `AveragePool` to absorb (the
    /// engine has no padding op); anything else is unsupported.
    mutating func convertPad(_ node: ONNXNode) throws {
        let input = try tensorInput(node, 0)
        let rank = shape(input).count
        var pads: [Int]
        let value: Float
        if opset >= 11 {
            guard let listed = try integersInput(node, 1, role: "pads") else { throw ONNXImportIssue.malformed("pads are missing") }
            pads = listed
            value = try constantInput(node, 2, role: "padding value")?.floats.first ?? 0
            if let axes = try integersInput(node, 3, role: "axes") {
                guard listed.count == 2 * axes.count else { throw ONNXImportIssue.malformed("pads \(listed) for axes \(axes)") }
                pads = Array(repeating: 0, count: 2 * rank)
                for (position, axis) in axes.enumerated() {
                    let axis = axis < 0 ? axis + rank : axis
                    guard axis >= 0 && axis < rank else { throw ONNXImportIssue.malformed("Pad axis \(axis) for rank \(rank)") }
                    (pads[axis], pads[rank + axis]) = (listed[position], listed[axes.count + position])
                }
            }
        } else {
            pads = try node.ints("pads") ?? []
            value = try node.float("value", default: 0)
        }
        guard pads.count == 2 * rank else { throw ONNXImportIssue.malformed("pads \(pads) for a rank-\(rank) input") }
        if pads.allSatisfy({ $0 == 0 }) {
            bind(node.outputs[0], to: .node(input))
            return
        }
        let batchAndChannels = [0, 1, rank, rank + 1]
        guard try node.string("mode") ?? "constant" == "constant", value == 0, rank > 2, pads.allSatisfy({ $0 >= 0 }),
              batchAndChannels.allSatisfy({ pads[$0] == 0 }) else {
            throw ONNXImportIssue.unsupported(Self.unfoldedPad(node.name).detail)
        }
        bind(node.outputs[0], to: .zeroPadded(source: input, pads: pads, padNode: node.name))
    }

    /// A pooling or convolution input with the spatial zero padding of a folded `Pad` node.
    struct PaddedInput {
        var input: String
        var begin: [Int] = []
        var end: [Int] = []
        var padNode: String?

        var absorbsPad: Bool { padNode != nil }
    }

    /// Input 0, looking through a pending zero `Pad`.
    private mutating func paddedInput(_ node: ONNXNode) throws -> PaddedInput {
        guard let name = node.input(0), case .zeroPadded(let source, let pads, let padNode)? = values[name] else {
            return PaddedInput(input: try tensorInput(node, 0))
        }
        let rank = pads.count / 2
        return PaddedInput(input: source, begin: Array(pads[2..<rank]), end: Array(pads[(rank + 2)...]), padNode: padNode)
    }

    /// Symmetric padding per spatial axis from `pads` or `auto_pad` plus a folded `Pad`'s;
    /// unsupported when begin and end differ (the engine pads symmetrically).
    private func symmetricPadding(_ node: ONNXNode, padded: PaddedInput, kernel: [Int], strides: [Int],
                                  dilations: [Int]) throws -> [Int] {
        let spatial = kernel.count
        guard strides.count == spatial, dilations.count == spatial, shape(padded.input).count == spatial + 2 else {
            throw ONNXImportIssue.malformed("kernel \(kernel), strides \(strides) and dilations \(dilations) do not fit input \(shape(padded.input))")
        }
        guard (kernel + strides + dilations).allSatisfy({ $0 >= 1 }) else {
            throw ONNXImportIssue.malformed("kernel \(kernel), strides \(strides) and dilations \(dilations) must be positive")
        }
        let extraBegin = padded.begin.isEmpty ? Array(repeating: 0, count: spatial) : padded.begin
        let extraEnd = padded.end.isEmpty ? Array(repeating: 0, count: spatial) : padded.end
        let inputSizes = (0..<spatial).map { shape(padded.input)[$0 + 2] + extraBegin[$0] + extraEnd[$0] }
        var begin = Array(repeating: 0, count: spatial), end = begin
        switch try node.string("auto_pad") ?? "NOTSET" {
        case "NOTSET":
            if let pads = try node.ints("pads") {
                guard pads.count == 2 * spatial else { throw ONNXImportIssue.malformed("pads \(pads) for \(spatial) spatial axes") }
                guard pads.allSatisfy({ $0 >= 0 }) else { throw ONNXImportIssue.malformed("negative pads \(pads)") }
                (begin, end) = (Array(pads[..<spatial]), Array(pads[spatial...]))
            }
        case "VALID":
            break
        case let mode where mode == "SAME_UPPER" || mode == "SAME_LOWER":
            for axis in 0..<spatial {
                let output = (inputSizes[axis] + strides[axis] - 1) / strides[axis]
                let total = max(0, (output - 1) * strides[axis] + (kernel[axis] - 1) * dilations[axis] + 1 - inputSizes[axis])
                begin[axis] = mode == "SAME_UPPER" ? total / 2 : total - total / 2
                end[axis] = total - begin[axis]
            }
        case let mode:
            throw ONNXImportIssue.malformed("auto_pad '\(mode)'")
        }
        let totalBegin = zip(begin, extraBegin).map(+), totalEnd = zip(end, extraEnd).map(+)
        guard totalBegin == totalEnd else {
            throw ONNXImportIssue.unsupported("asymmetric padding (begin \(totalBegin), end \(totalEnd)); the engine pads symmetrically")
        }
        return totalBegin
    }
}
