import STCore

/// Shape and indexing ops on computed tensors, and reductions. Shapes, axes and indices must be
/// known at import time (constants, or folded from the input shape).
///
/// Reshape targets are computed at the import shapes, so a target whose first size equals the
/// input's first size is written with `0` ("copy the input's size") there: the batch size may
/// then differ at run time, as `Graph.forward` allows.
extension ONNXGraphConverter {
    /// `Concat` → `Concat(axis:)`; constant operands become `Constant` nodes, empty ones are left
    /// out (a single remaining input is the output itself).
    mutating func convertConcat(_ node: ONNXNode) throws {
        guard let axis = try node.int("axis") else { throw ONNXImportIssue.malformed("axis is missing") }
        let inputs = try node.proto.input.indices.filter { index in
            guard let name = node.input(index) else { return false }
            if case .constant(let constant)? = values[name], constant.count == 0 { return false }
            return true
        }.map { try tensorInput(node, $0) }
        guard inputs.count > 1 else {
            guard let only = inputs.first else { throw ONNXImportIssue.unsupported("every input is empty") }
            bind(node.outputs[0], to: .node(only))
            return
        }
        bind(node.outputs[0], to: .node(try addNode(node.name, Concat(axis: axis), inputs: inputs)))
    }

    /// `Flatten(axis)` → 2-D `[Π shape[..<axis], Π shape[axis...]]`: `Flatten(startDim: 1)` for
    /// axis 1, otherwise a `Reshape` (`[1, -1]` for axis 0, `[-1, Π shape[axis...]]` beyond).
    mutating func convertFlatten(_ node: ONNXNode) throws {
        let input = try tensorInput(node, 0)
        let inputShape = shape(input)
        var axis = try node.int("axis", default: 1)
        axis = axis < 0 ? axis + inputShape.count : axis
        guard axis >= 0 && axis <= inputShape.count else { throw ONNXImportIssue.malformed("axis \(axis) for \(inputShape)") }
        let op: any Op
        if axis == 1 && inputShape.count >= 2 {
            op = Flatten(startDim: 1)
        } else {
            op = Reshape(axis == 0 ? [1, -1] : [-1, inputShape[axis...].reduce(1, *)])
        }
        bind(node.outputs[0], to: .node(try addNode(node.name, op, inputs: [input])))
    }

    /// `Reshape` to a target known at import time (usually folded from `Shape`/`Gather`/`Concat`).
    mutating func convertReshape(_ node: ONNXNode) throws {
        let input = try tensorInput(node, 0)
        guard var target = try integersInput(node, 1, role: "target shape") else {
            throw ONNXImportIssue.malformed("the target shape is missing")
        }
        if try node.int("allowzero", default: 0) != 0 && target.contains(0) {
            throw ONNXImportIssue.unsupported("allowzero = 1 with a 0 in the target \(target) (an empty tensor)")
        }
        let inputShape = shape(input)
        _ = try ONNXShapeRules.reshaped(inputShape, target: target, allowZero: false)
        if let first = target.first, first > 0, first == inputShape.first { target[0] = 0 }
        bind(node.outputs[0], to: .node(try addNode(node.name, Reshape(target), inputs: [input])))
    }

    /// `Transpose(perm)` → `Permute(perm)` (default: the axes reversed).
    mutating func convertTranspose(_ node: ONNXNode) throws {
        let input = try tensorInput(node, 0)
        let order = try node.ints("perm") ?? Array(shape(input).indices.reversed())
        bind(node.outputs[0], to: .node(try addNode(node.name, Permute(order), inputs: [input])))
    }

    /// `Squeeze` (axes: attribute before opset 13, input after; none = every size-1 axis) → `Reshape`.
    mutating func convertSqueeze(_ node: ONNXNode) throws {
        let input = try tensorInput(node, 0)
        let axes = opset >= 13 ? try integersInput(node, 1, role: "axes") : try node.ints("axes")
        let inputShape = shape(input)
        let output = try ONNXShapeRules.squeezed(inputShape, axes: axes)
        let removed = Set((axes ?? inputShape.indices.filter { inputShape[$0] == 1 }).map { $0 < 0 ? $0 + inputShape.count : $0 })
        try addReshape(node, input: input, to: output, keepsFirstAxis: !removed.contains(0))
    }

    /// `Unsqueeze` (axes: attribute before opset 13, input after) → `Reshape`.
    mutating func convertUnsqueeze(_ node: ONNXNode) throws {
        let input = try tensorInput(node, 0)
        guard let axes = opset >= 13 ? try integersInput(node, 1, role: "axes") : try node.ints("axes") else {
            throw ONNXImportIssue.malformed("axes are missing")
        }
        let output = try ONNXShapeRules.unsqueezed(shape(input), axes: axes)
        let inserted = Set(axes.map { $0 < 0 ? $0 + output.count : $0 })
        try addReshape(node, input: input, to: output, keepsFirstAxis: !inserted.contains(0))
    }

    /// `Gather` from a computed tensor with constant indices (any shape, order and repeats;
    /// negative ones count from the end) → a `Slice` named `<name>` when the flattened indices are
    /// one contiguous ascending run, otherwise `IndexSelect` of them. Unless the indices are 1-D,
    /// `<name>.reshape` then gives the output shape `data[..<axis] + indices + data[(axis+1)...]`
    /// (a scalar index drops the axis). Indices computed at run time are unsupported.
    mutating func convertGather(_ node: ONNXNode) throws {
        let input = try tensorInput(node, 0)
        guard let indicesName = node.input(1), case .constant(let indices)? = values[indicesName] else {
            throw ONNXImportIssue.unsupported("its indices are computed at run time")
        }
        let inputShape = shape(input)
        var axis = try node.int("axis", default: 0)
        axis = axis < 0 ? axis + inputShape.count : axis
        guard axis >= 0 && axis < inputShape.count else { throw ONNXImportIssue.malformed("axis \(axis) for \(inputShape)") }
        let size = inputShape[axis]
        let positions = try indices.ints.map { index -> Int in
            let wrapped = index < 0 ? index + size : index
            guard wrapped >= 0 && wrapped < size else { throw ONNXImportIssue.malformed("index \(index) out of range for size \(size)") }
            return wrapped
        }
        guard let first = positions.first else { throw ONNXImportIssue.unsupported("empty indices \(indices.shape)") }
        let op: any Op = positions == Array(first..<(first + positions.count))
            ? Slice(axis: axis, start: first, end: first + positions.count)
            : IndexSelect(axis: axis, indices: positions)
        let picked = try addNode(node.name, op, inputs: [input])
        guard indices.shape.count != 1 else {
            bind(node.outputs[0], to: .node(picked))
            return
        }
        let output = Array(inputShape[..<axis]) + indices.shape + Array(inputShape[(axis + 1)...])
        let reshape = try addNode(available("\(node.name).reshape"), Reshape(Self.reshapeTarget(output, keepsFirstAxis: axis != 0)),
                                  inputs: [picked])
        bind(node.outputs[0], to: .node(reshape))
    }

    /// `Slice` of a computed tensor with constant starts/ends/axes/steps → one `Slice` per
    /// sliced axis (`<name>.axisK` …, the last named `<name>`); positive steps only. An empty
    /// slice is an empty constant (only `Concat` reads it).
    mutating func convertSlice(_ node: ONNXNode) throws {
        let input = try tensorInput(node, 0)
        guard let starts = try integersInput(node, 1, role: "starts"), let ends = try integersInput(node, 2, role: "ends") else {
            throw ONNXImportIssue.malformed("starts or ends are missing")
        }
        let inputShape = shape(input)
        let axes = try integersInput(node, 3, role: "axes") ?? Array(0..<starts.count)
        let steps = try integersInput(node, 4, role: "steps") ?? Array(repeating: 1, count: starts.count)
        guard ends.count == starts.count, axes.count == starts.count, steps.count == starts.count else {
            throw ONNXImportIssue.malformed("starts, ends, axes and steps differ in length")
        }
        var slices: [Slice] = []
        for (position, rawAxis) in axes.enumerated() {
            let axis = rawAxis < 0 ? rawAxis + inputShape.count : rawAxis
            guard axis >= 0 && axis < inputShape.count else { throw ONNXImportIssue.malformed("axis \(rawAxis) for \(inputShape)") }
            guard steps[position] > 0 else { throw ONNXImportIssue.unsupported("a step of \(steps[position]); only positive steps are imported") }
            let picked = ONNXShapeRules.slicePositions(size: inputShape[axis], start: starts[position], end: ends[position],
                                                       step: steps[position])
            guard let first = picked.first, let last = picked.last else {
                // torch.roll by 0 (Swin's shift along an axis the window covers) concatenates an
                // empty slice; it stays an empty constant, which Concat leaves out.
                var emptyShape = inputShape
                emptyShape[axis] = 0
                bind(node.outputs[0], to: .constant(ONNXConstant(shape: emptyShape, floats: [])))
                return
            }
            if picked != Array(0..<inputShape[axis]) {
                slices.append(Slice(axis: axis, start: first, end: last + 1, step: steps[position]))
            }
        }
        var current = input
        for (index, slice) in slices.enumerated() {
            let name = index == slices.count - 1 ? node.name : available("\(node.name).axis\(slice.axis)")
            current = try addNode(name, slice, inputs: [current])
        }
        bind(node.outputs[0], to: .node(current))
    }

    /// `Cast` of a computed tensor: to a floating type it is the identity (the engine computes
    /// in float32); to an integer type it is unsupported.
    mutating func convertCast(_ node: ONNXNode) throws {
        switch Onnx_TensorProto.DataType(rawValue: try node.int("to", default: 1)) ?? .undefined {
        case .float, .float16, .double, .bfloat16:
            try convertIdentity(node)
        case let type:
            throw ONNXImportIssue.unsupported("a cast of a computed tensor to \(type); the engine computes in float32")
        }
    }

    /// `Shape` / `Size` of a computed tensor: constants from the import-time shape.
    mutating func convertShapeQuery(_ node: ONNXNode) throws {
        // Two statements: `shape(try tensorInput(…))` would read the shapes from before
        // `tensorInput` materialised a pending padding.
        let input = try tensorInput(node, 0)
        let inputShape = shape(input)
        let value = node.opType == "Size"
            ? ONNXConstant(shape: [], ints: [inputShape.reduce(1, *)])
            : ONNXConstant(vector: Array(inputShape[try ONNXConstantFolding.shapeRange(node, rank: inputShape.count)]))
        bind(node.outputs[0], to: .constant(value))
    }

    /// `ReduceMean` → `Mean(axes:keepDims:)`; `ReduceSum` → that mean (`<name>.mean`) times the
    /// constant count of reduced elements at the import shape (`<name>.count`). Axes come from
    /// the attribute or, from opset 18 (ReduceSum: 13), input 1; none means every axis unless
    /// `noop_with_empty_axes`.
    mutating func convertReduction(_ node: ONNXNode) throws {
        let input = try tensorInput(node, 0)
        let isSum = node.opType == "ReduceSum"
        let axesFromInput = opset >= (isSum ? 13 : 18)
        let axes = (axesFromInput ? try integersInput(node, 1, role: "axes") : try node.ints("axes")) ?? []
        let skipsEmptyAxes = try node.int("noop_with_empty_axes", default: 0) != 0
        if axes.isEmpty && skipsEmptyAxes {
            try convertIdentity(node)
            return
        }
        let keepDims = try node.int("keepdims", default: 1) != 0
        let mean = Mean(axes: axes, keepDims: keepDims)
        guard isSum else {
            bind(node.outputs[0], to: .node(try addNode(node.name, mean, inputs: [input])))
            return
        }
        let inputShape = shape(input)
        let reduced = axes.isEmpty ? Array(inputShape.indices) : axes.map { $0 < 0 ? $0 + inputShape.count : $0 }
        let count = Float(reduced.map { inputShape.indices.contains($0) ? inputShape[$0] : 1 }.reduce(1, *))
        let averaged = try addNode(available("\(node.name).mean"), mean, inputs: [input])
        let scale = try addNode(available("\(node.name).count"), Constant(Tensor(shape: [1], scalars: [count])), inputs: [])
        bind(node.outputs[0], to: .node(try addNode(node.name, Multiply(), inputs: [averaged, scale])))
    }

    /// A `Reshape` named after the node; the identity when the shape does not change.
    mutating func addReshape(_ node: ONNXNode, input: String, to output: [Int], keepsFirstAxis: Bool) throws {
        guard output != shape(input) else {
            bind(node.outputs[0], to: .node(input))
            return
        }
        let target = Self.reshapeTarget(output, keepsFirstAxis: keepsFirstAxis)
        bind(node.outputs[0], to: .node(try addNode(node.name, Reshape(target), inputs: [input])))
    }

    /// `shape` as a reshape target, with `0` (copy the input's size) first when the first axis
    /// is the input's first axis, so the batch size may vary.
    static func reshapeTarget(_ shape: [Int], keepsFirstAxis: Bool) -> [Int] {
        guard keepsFirstAxis, !shape.isEmpty else { return shape }
        return [0] + shape.dropFirst()
    }
}
