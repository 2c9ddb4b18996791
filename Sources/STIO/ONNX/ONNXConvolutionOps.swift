import STCore

/// Conv, BatchNormalization and pooling: the spatial layers of a CNN. Their padding is read by
/// `windowPadding` (ONNXPadOps.swift).
extension ONNXGraphConverter {
    /// `Conv` (1D/2D/3D; `strides`, `pads` or `auto_pad`, `dilations`, `group`) → `Convolution`,
    /// weight `O × C/group × k…` and optional bias named after their initializers. A preceding
    /// zero `Pad` is folded into the padding; padding that differs between the beginning and the
    /// end of an axis (SAME_UPPER/SAME_LOWER, unequal `pads`) puts the difference into a zero
    /// `Pad` node `<name>.pad` and the equal part into the convolution.
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
        let own = try windowPadding(node, padded: padded, kernel: kernel, strides: strides, dilations: dilations)
        let window = try symmetricWindowInput(node, source: padded.input, begin: Self.sum(own.begin, padded.begin),
                                              end: Self.sum(own.end, padded.end))
        let groups = try node.int("group", default: 1)
        guard groups >= 1 else { throw ONNXImportIssue.malformed("group \(groups)") }
        let geometry = ConvolutionGeometry(stride: strides, padding: window.padding, dilation: dilations, groups: groups)
        var parameters = [ONNXStateEntry(role: "weight", value: weight.tensor, preferredKey: weight.initializer)]
        if let bias { parameters.append(ONNXStateEntry(role: "bias", value: bias.tensor, preferredKey: bias.initializer)) }
        let output = try addNode(node.name, Convolution(geometry: geometry, bias: bias != nil), inputs: [window.input],
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
    /// `dilations` (max only), `ceil_mode`, `count_include_pad`) → `Pooling` `<name>`.
    ///
    /// An average pool absorbs a preceding zero `Pad` when every padded position counts (its own
    /// padding is counted or zero) outside ceil mode; otherwise the `Pad` node is added. Padding
    /// beyond the engine's symmetric window padding — unequal begin and end, or more than half the
    /// kernel — goes into a `Pad` node `<name>.pad`: of the lowest finite float for max pooling,
    /// so that it never wins a window holding an input element (−∞ would turn its zero gradient
    /// into NaN in products), of zeros for average pooling. When the padding is not counted, the
    /// engine then averages over the input and that `Pad`'s zeros, and the constant
    /// `<name>.count_ratio` c(p) = Π_axes (engine's count)/(input elements in window p) rescales
    /// the result in `<name>.count_correction`. Ceil mode with such a `Pad` is unsupported.
    mutating func convertPooling(_ node: ONNXNode) throws {
        let isMax = node.opType == "MaxPool"
        guard let kernel = try node.ints("kernel_shape") else { throw ONNXImportIssue.malformed("kernel_shape is missing") }
        let spatial = kernel.count
        let strides = try node.ints("strides") ?? Array(repeating: 1, count: spatial)
        let dilations = try node.ints("dilations") ?? Array(repeating: 1, count: spatial)
        let ceilMode = try node.int("ceil_mode", default: 0) != 0
        let countIncludePad = try node.int("count_include_pad", default: 0) != 0
        if !isMax && dilations.contains(where: { $0 != 1 }) {
            throw ONNXImportIssue.unsupported("average pooling with dilations \(dilations)")
        }
        var padded = try paddedInput(node)
        let own = try windowPadding(node, padded: padded, kernel: kernel, strides: strides, dilations: dilations)
        let ownIsZero = (own.begin + own.end).allSatisfy { $0 == 0 }
        if padded.absorbsPad && (isMax || ceilMode || !(countIncludePad || ownIsZero)) {
            padded = PaddedInput(input: try tensorInput(node, 0))
        }
        let begin = Self.sum(own.begin, padded.begin), end = Self.sum(own.end, padded.end)
        let limit = kernel.map { $0 / 2 }
        if ceilMode && begin.indices.contains(where: { begin[$0] != end[$0] || begin[$0] > limit[$0] }) {
            throw ONNXImportIssue.unsupported("ceil_mode with padding begin \(begin), end \(end) beyond the engine's symmetric padding")
        }
        let counted = countIncludePad || padded.absorbsPad
        let window = try symmetricWindowInput(node, source: padded.input, begin: begin, end: end, limit: limit,
                                              value: isMax ? -Float.greatestFiniteMagnitude : 0)
        let kind: PoolingKind = isMax ? .max : .average(countIncludePad: counted)
        let geometry = PoolingGeometry(kernel: kernel, stride: strides, padding: window.padding, dilation: dilations, ceilMode: ceilMode)
        let pooled = try addNode(node.name, Pooling(kind, geometry: geometry), inputs: [window.input])
        if isMax || counted || window.input == padded.input {
            bind(node.outputs[0], to: .node(pooled))
        } else {
            let ratio = try Self.countRatio(input: Array(shape(padded.input).dropFirst(2)), output: Array(shape(pooled).dropFirst(2)),
                                            kernel: kernel, strides: strides, begin: begin, extraBegin: zip(begin, window.padding).map(-),
                                            extraEnd: zip(end, window.padding).map(-))
            let constant = try addNode(available("\(node.name).count_ratio"), Constant(ratio), inputs: [])
            bind(node.outputs[0], to: .node(try addNode(available("\(node.name).count_correction"), Multiply(),
                                                        inputs: [pooled, constant])))
        }
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

    /// Element-wise sum of a window's own padding and an absorbed `Pad`'s (empty when none).
    static func sum(_ own: [Int], _ absorbed: [Int]) -> [Int] {
        absorbed.isEmpty ? own : zip(own, absorbed).map(+)
    }

    /// c(p) of an uncounted average pool over an input of spatial size `input`, whose padding
    /// (`begin` per axis before the input) is written partly by a zero `Pad` (`extraBegin`,
    /// `extraEnd`): the engine counts the positions of window p inside [−extraBegin, n + extraEnd),
    /// ONNX those inside [0, n). Shape `1 × 1 × output`.
    static func countRatio(input: [Int], output: [Int], kernel: [Int], strides: [Int], begin: [Int],
                           extraBegin: [Int], extraEnd: [Int]) throws -> Tensor {
        let perAxis = try input.indices.map { axis -> [Float] in
            try (0..<output[axis]).map { position -> Float in
                let start = position * strides[axis] - begin[axis], stop = start + kernel[axis]
                let inside = min(stop, input[axis]) - max(start, 0)
                guard inside > 0 else {
                    throw ONNXImportIssue.unsupported("a pooling window at \(position) of axis \(axis) holds no input element")
                }
                return Float(min(stop, input[axis] + extraEnd[axis]) - max(start, -extraBegin[axis])) / Float(inside)
            }
        }
        var ratios: [Float] = [1]
        for factors in perAxis { ratios = ratios.flatMap { ratio in factors.map { ratio * $0 } } }
        return Tensor(shape: [1, 1] + output, scalars: ratios)
    }
}
