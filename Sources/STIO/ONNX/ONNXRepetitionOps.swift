import STCore

/// Splitting, repeating, scattering and selecting computed tensors: `Split` (attention's fused
/// q/k/v), `Tile` and `Expand` (class tokens repeated over frames or the batch), `ScatterND`
/// (MViT's relative positions added into a block of the attention map), `Where` (masks). Sizes and indices must be known
/// at import time.
extension ONNXGraphConverter {
    /// `Split` → one `Slice` per output along the axis, named `<name>.part<i>` (the first `<name>`).
    mutating func convertSplit(_ node: ONNXNode) throws {
        let input = try tensorInput(node, 0)
        let inputShape = shape(input)
        let sizes = try ONNXShapeRules.splitSizes(node, inputShape: inputShape, opset: opset,
                                                  splitInput: try integersInput(node, 1, role: "split sizes"))
        var axis = try node.int("axis", default: 0)
        axis = axis < 0 ? axis + inputShape.count : axis
        var start = 0
        for (index, (output, size)) in zip(node.outputs, sizes).enumerated() {
            let name = index == 0 ? node.name : available("\(node.name).part\(index)")
            bind(output, to: .node(try addNode(name, Slice(axis: axis, start: start, end: start + size), inputs: [input])))
            start += size
        }
    }

    /// `Tile(x, repeats)` → per axis repeated more than once, a `Concat` of that many copies
    /// (`<name>.axisK`, the last one `<name>`); the identity when nothing repeats.
    mutating func convertTile(_ node: ONNXNode) throws {
        let input = try tensorInput(node, 0)
        guard let repeats = try integersInput(node, 1, role: "repeats"), repeats.count == shape(input).count,
              repeats.allSatisfy({ $0 >= 1 }) else {
            throw ONNXImportIssue.malformed("repeats must be one positive count per axis of \(shape(input))")
        }
        let repeated = repeats.indices.filter { repeats[$0] > 1 }
        var current = input
        for axis in repeated {
            let name = axis == repeated.last ? node.name : available("\(node.name).axis\(axis)")
            current = try addNode(name, Concat(axis: axis), inputs: Array(repeating: current, count: repeats[axis]))
        }
        bind(node.outputs[0], to: .node(current))
    }

    /// `Expand(x, shape)` of a computed x → `x + 0` with a zero constant `<name>.zeros` that is 1
    /// wherever x already has the size, so the sum broadcasts x to the target (NumPy rules) and
    /// the batch axis stays free.
    mutating func convertExpand(_ node: ONNXNode) throws {
        let input = try tensorInput(node, 0)
        guard let target = try integersInput(node, 1, role: "shape") else { throw ONNXImportIssue.malformed("the shape is missing") }
        let inputShape = shape(input)
        guard let output = ONNXShapeRules.broadcast(inputShape, target) else {
            throw ONNXImportIssue.malformed("cannot expand \(inputShape) to \(target)")
        }
        let padded = Array(repeating: 1, count: output.count - inputShape.count) + inputShape
        guard padded != output else {
            try addReshape(node, input: input, to: output, keepsFirstAxis: output.count == inputShape.count)
            return
        }
        bind(node.outputs[0], to: .node(try addBroadcast(node.name, input: input, to: output)))
    }

    /// `input` broadcast to `shape` (which NumPy rules must allow) as the node `name`, `input + 0`
    /// with a zero constant `<name>.zeros` that is 1 wherever the input already has the size, so
    /// the batch axis stays free.
    mutating func addBroadcast(_ name: String, input: String, to shape: [Int]) throws -> String {
        let inputShape = self.shape(input)
        let padded = Array(repeating: 1, count: shape.count - inputShape.count) + inputShape
        let zeros = try addNode(available("\(name).zeros"), Constant(Tensor(zeros: zip(padded, shape).map { $0 == $1 ? 1 : $1 })),
                                inputs: [])
        return try addNode(name, Add(), inputs: [input, zeros])
    }

    /// `ScatterND(data, indices, updates)` with constant indices (reduction none) of computed
    /// tensors: with k the indices' last size, data's first k axes flattened into R rows and
    /// updates' index axes into U rows (both of the remaining size S), `ScatterRows` writes update
    /// u into the row its k-tuple addresses (`<name>.data`, `<name>.updates`, `<name>.rows`, then
    /// `<name>` reshapes to data's shape), so gradients and relevance of overwritten rows stop there.
    mutating func convertScatterND(_ node: ONNXNode) throws {
        let reduction = try node.string("reduction") ?? "none"
        guard reduction == "none" else { throw ONNXImportIssue.unsupported("reduction '\(reduction)'") }
        guard let indicesName = node.input(1), case .constant(let indices)? = values[indicesName] else {
            throw ONNXImportIssue.unsupported("its indices are computed at run time")
        }
        let (data, updates) = (try tensorInput(node, 0), try tensorInput(node, 2))
        let (dataShape, updatesShape) = (shape(data), shape(updates))
        guard let k = indices.shape.last, k >= 1, k <= dataShape.count,
              updatesShape == Array(indices.shape.dropLast()) + Array(dataShape[k...]) else {
            throw ONNXImportIssue.malformed("ScatterND of \(updatesShape) at indices \(indices.shape) into \(dataShape)")
        }
        let rows = dataShape[..<k].reduce(1, *), rowSize = dataShape[k...].reduce(1, *)
        let addressed = try ONNXConstantFolding.rowsAddressed(by: indices, in: dataShape)
        let flatData = try addNode(available("\(node.name).data"), Reshape([rows, rowSize]), inputs: [data])
        let flatUpdates = try addNode(available("\(node.name).updates"), Reshape([addressed.count, rowSize]), inputs: [updates])
        let scattered = try addNode(available("\(node.name).rows"), ScatterRows(rows: addressed), inputs: [flatData, flatUpdates])
        bind(node.outputs[0], to: .node(try addNode(node.name, Reshape(dataShape), inputs: [scattered])))
    }

    /// The fused `x[..., a:, b:] += r` (`ONNXBlockAddFusion`) → `BlockAdd(offsets:)`; an r that
    /// broadcasts to the block is expanded first (`<name>.expanded`, as `Expand`).
    mutating func convertBlockAdd(_ node: ONNXNode) throws {
        guard let offsets = try node.ints("offsets") else { throw ONNXImportIssue.malformed("a block add without offsets") }
        let (x, r) = (try tensorInput(node, 0), try tensorInput(node, 1))
        let block = zip(shape(x), offsets).map { $0 - $1 }
        var added = r
        if shape(r) != block {
            guard ONNXShapeRules.broadcast(shape(r), block) == block else {
                throw ONNXImportIssue.malformed("cannot add \(shape(r)) into a block of \(block)")
            }
            added = try addBroadcast(available("\(node.name).expanded"), input: r, to: block)
        }
        bind(node.outputs[0], to: .node(try addNode(node.name, BlockAdd(offsets: offsets), inputs: [x, added])))
    }

    /// `Where(condition, x, y)` of computed operands with a condition known at import time (an
    /// attention mask) → `Select(mask:)`; a condition computed at run time is unsupported.
    mutating func convertWhere(_ node: ONNXNode) throws {
        guard let name = node.input(0), case .constant(let condition)? = values[name] else {
            throw ONNXImportIssue.unsupported("its condition is computed at run time")
        }
        let (x, y) = (try tensorInput(node, 1), try tensorInput(node, 2))
        let mask = Tensor(shape: condition.shape, scalars: condition.ints.map { $0 != 0 ? 1 : 0 })
        bind(node.outputs[0], to: .node(try addNode(node.name, Select(mask: mask), inputs: [x, y])))
    }
}
