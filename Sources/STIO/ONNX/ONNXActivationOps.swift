import STCore

/// Element-wise activations, softmax, dropout and identity.
extension ONNXGraphConverter {
    /// A one-input op (`Relu`, `Sigmoid`, `Tanh`, `Reciprocal`, and `LeakyRelu` once its slope is read).
    mutating func convertUnary(_ node: ONNXNode, _ op: any Op) throws {
        let input = try tensorInput(node, 0)
        bind(node.outputs[0], to: .node(try addNode(node.name, op, inputs: [input])))
    }

    /// `LeakyRelu` → `LeakyReLU(negativeSlope: alpha)` (default 0.01); a negative slope, which
    /// flips signs, is not supported.
    mutating func convertLeakyReLU(_ node: ONNXNode) throws {
        let slope = try node.float("alpha", default: 0.01)
        guard slope >= 0, slope.isFinite else { throw ONNXImportIssue.unsupported("negative slope \(slope)") }
        try convertUnary(node, LeakyReLU(negativeSlope: slope))
    }

    /// `Softmax` / `LogSoftmax` → `Softmax(axis:log:)`. From opset 13 the op works along one axis
    /// (default −1). Before, it flattens the input to 2-D at `axis` (default 1) and normalises
    /// over everything from `axis` on: the same op when that is the last axis, otherwise
    /// `<name>.flatten` (Flatten from `axis`), the softmax, and `<name>.unflatten` (back to the shape).
    mutating func convertSoftmax(_ node: ONNXNode) throws {
        let input = try tensorInput(node, 0)
        let inputShape = shape(input)
        let rank = inputShape.count
        let log = node.opType == "LogSoftmax"
        var axis = try node.int("axis", default: opset >= 13 ? -1 : 1)
        axis = axis < 0 ? axis + rank : axis
        guard axis >= 0 && axis < rank else { throw ONNXImportIssue.malformed("axis \(axis) for rank \(rank)") }
        guard opset < 13 && axis < rank - 1 else {
            bind(node.outputs[0], to: .node(try addNode(node.name, Softmax(axis: axis, log: log), inputs: [input])))
            return
        }
        let flat = try addNode(available("\(node.name).flatten"), Flatten(startDim: axis), inputs: [input])
        let softmax = try addNode(node.name, Softmax(axis: axis, log: log), inputs: [flat])
        let target = (axis > 0 ? [0] : [inputShape[0]]) + Array(inputShape.dropFirst())
        bind(node.outputs[0], to: .node(try addNode(available("\(node.name).unflatten"), Reshape(target), inputs: [softmax])))
    }

    /// `Dropout` → `Dropout(probability:)` (the identity in inference) with the ratio from the
    /// attribute (opset < 12) or input 1 (default 0.5). The mask output is not computed.
    mutating func convertDropout(_ node: ONNXNode) throws {
        let input = try tensorInput(node, 0)
        let ratio = opset >= 12
            ? try constantInput(node, 1, role: "ratio")?.floats.first ?? 0.5
            : try node.float("ratio", default: 0.5)
        guard (0...1).contains(ratio) else { throw ONNXImportIssue.malformed("ratio \(ratio) outside [0, 1]") }
        bind(node.outputs[0], to: .node(try addNode(node.name, Dropout(probability: ratio), inputs: [input])))
        if node.outputs.count > 1 {
            markUnavailable([node.outputs[1]], report: UnsupportedOperator(op: "Dropout", node: node.name,
                                                                           detail: "its mask output is not computed"))
        }
    }

    /// `Identity` (and `Cast` to a float type): the output is the input's value; no node.
    mutating func convertIdentity(_ node: ONNXNode) throws {
        guard let name = node.input(0), let value = values[name] else { throw ONNXImportIssue.malformed("input 0 is missing") }
        bind(node.outputs[0], to: value)
    }
}
