/// Evaluates ONNX nodes whose inputs are all known at import time: the `Shape → Gather →
/// Unsqueeze → Concat → Reshape` chains (and `Cast`, `Slice`, `ConstantOfShape`, `Range`,
/// `Equal`/`Where`, arithmetic) that `torch.onnx.export` emits to compute reshape targets, the
/// masks and index tables of windowed attention (`Mod`, comparisons, `ScatterND`, `Tile`), and
/// `Constant` nodes. Semantics follow the ONNX operator specification for opsets 11–21.
///
/// Every folded value is checked against `limit` elements before it is allocated: a model's
/// own constants (a position table broadcast over a batch) may be large, a fuzzed `ConstantOfShape`
/// asking for 2⁴⁰ zeros may not.
struct ONNXConstantFolding {
    /// The most elements a folded value may have beyond the size of its largest input.
    let limit: Int

    /// The limit for a model file of `modelBytes` bytes: as many float32 elements as the file
    /// holds bytes (a folded constant never outgrows the model by more than its element size),
    /// at least 2²⁰ (shape arithmetic of a tiny model) and at most 1 GiB of float32 (2²⁸).
    static func limit(modelBytes: Int) -> Int {
        min(1 << 28, max(1 << 20, modelBytes))
    }

    /// Op types evaluated when every input is a constant.
    static let foldable: Set<String> = Set([
        "Constant", "Identity", "Cast", "Shape", "Size", "Gather", "Slice", "Concat", "Unsqueeze", "Squeeze",
        "Reshape", "Flatten", "Transpose", "ConstantOfShape", "Range", "Add", "Sub", "Mul", "Div", "Neg",
        "Equal", "Where", "Expand",
    ]).union(foldedArithmetic).union(["ScatterND", "GatherND", "Tile", "Split"])

    /// The values of `node`'s outputs, from its constant inputs (nil where an optional input is absent).
    func evaluateOutputs(_ node: ONNXNode, inputs: [ONNXConstant?], opset: Int,
                         decoding: ONNXTensorDecoding) throws -> [ONNXConstant] {
        guard node.opType == "Split" else { return [try evaluate(node, inputs: inputs, opset: opset, decoding: decoding)] }
        guard let x = inputs.first ?? nil else { throw ONNXImportIssue.malformed("input 0 is missing") }
        let sizes = try ONNXShapeRules.splitSizes(node, inputShape: x.shape, opset: opset,
                                                  splitInput: inputs.count > 1 ? inputs[1]?.ints : nil)
        let axis = try Self.normalized(try node.int("axis", default: 0), rank: x.shape.count)
        var start = 0
        return try sizes.map { size in
            defer { start += size }
            return try Self.slice(x, starts: [start], ends: [start + size], axes: [axis], steps: nil)
        }
    }

    /// The value of `node`'s first output, from its constant inputs (nil where an optional input is absent).
    func evaluate(_ node: ONNXNode, inputs: [ONNXConstant?], opset: Int,
                  decoding: ONNXTensorDecoding) throws -> ONNXConstant {
        func input(_ index: Int) throws -> ONNXConstant {
            guard index < inputs.count, let value = inputs[index] else {
                throw ONNXImportIssue.malformed("input \(index) is missing")
            }
            return value
        }
        switch node.opType {
        case "Constant": return try Self.constant(node, decoding: decoding)
        case "Identity": return try input(0)
        case "Cast": return try Self.cast(try input(0), to: try node.int("to", default: 1))
        case "Shape":
            let shape = try input(0).shape
            let range = try Self.shapeRange(node, rank: shape.count)
            return ONNXConstant(vector: Array(shape[range]))
        case "Size": return ONNXConstant(shape: [], ints: [try input(0).count])
        case "Gather": return try gather(try input(0), indices: try input(1), axis: try node.int("axis", default: 0))
        case "Slice": return try Self.slice(try input(0), starts: try input(1).ints, ends: try input(2).ints,
                                       axes: inputs.count > 3 ? inputs[3]?.ints : nil,
                                       steps: inputs.count > 4 ? inputs[4]?.ints : nil)
        case "Concat": return try Self.concat(inputs.compactMap { $0 }, axis: try Self.required(node.int("axis"), "axis"))
        case "Unsqueeze":
            let x = try input(0)
            let axes = opset >= 13 ? try input(1).ints : try Self.required(node.ints("axes"), "axes")
            return x.reshaped(try ONNXShapeRules.unsqueezed(x.shape, axes: axes))
        case "Squeeze":
            let x = try input(0)
            let axes = opset >= 13 ? (inputs.count > 1 ? inputs[1]?.ints : nil) : try node.ints("axes")
            return x.reshaped(try ONNXShapeRules.squeezed(x.shape, axes: axes))
        case "Reshape":
            let x = try input(0)
            let shape = try ONNXShapeRules.reshaped(x.shape, target: try input(1).ints,
                                                    allowZero: try node.int("allowzero", default: 0) != 0)
            return x.reshaped(shape)
        case "Flatten":
            let x = try input(0)
            return x.reshaped(try ONNXShapeRules.flattened(x.shape, axis: try node.int("axis", default: 1)))
        case "Transpose":
            let x = try input(0)
            return try Self.transpose(x, perm: try node.ints("perm") ?? Array(x.shape.indices.reversed()))
        case "ConstantOfShape": return try constantOfShape(try input(0), node: node, decoding: decoding)
        case "Range": return try range(start: try input(0), limit: try input(1), delta: try input(2))
        case "Add": return try elementwise([try input(0), try input(1)], int: { $0[0] &+ $0[1] }, float: { $0[0] + $0[1] })
        case "Sub": return try elementwise([try input(0), try input(1)], int: { $0[0] &- $0[1] }, float: { $0[0] - $0[1] })
        case "Mul": return try elementwise([try input(0), try input(1)], int: { $0[0] &* $0[1] }, float: { $0[0] * $0[1] })
        case "Div":
            let (a, b) = (try input(0), try input(1))
            if a.isInteger && b.isInteger && b.ints.contains(0) { throw ONNXImportIssue.malformed("integer division by zero") }
            return try elementwise([a, b], int: { $0[1] == -1 ? 0 &- $0[0] : $0[0] / $0[1] }, float: { $0[0] / $0[1] })
        case "Neg": return try elementwise([try input(0)], int: { 0 &- $0[0] }, float: { -$0[0] })
        case "Equal":
            let (a, b) = (try input(0), try input(1))
            let result = try elementwise([a.floatsIfMixed(with: b), b.floatsIfMixed(with: a)],
                                         int: { $0[0] == $0[1] ? 1 : 0 }, float: { $0[0] == $0[1] ? 1 : 0 })
            return ONNXConstant(shape: result.shape, ints: result.ints)
        case "Where": return try select(try input(0), try input(1), try input(2))
        case "Expand": return try expand(try input(0), to: try input(1).ints)
        case "ScatterND": return try scatterND(try input(0), indices: try input(1), updates: try input(2), node: node)
        case "Tile": return try tile(try input(0), repeats: try input(1).ints)
        case "GatherND": return try gatherND(try input(0), indices: try input(1), node: node)
        case let type where Self.foldedArithmetic.contains(type):
            return try arithmetic(node, inputs: inputs.compactMap { $0 })
        default:
            throw ONNXImportIssue.unsupported("cannot be folded")
        }
    }

    private static func required<T>(_ value: T?, _ attribute: String) throws -> T {
        guard let value else { throw ONNXImportIssue.malformed("attribute '\(attribute)' is missing") }
        return value
    }

    /// `Constant`: one of `value` (a tensor), `value_float(s)`, `value_int(s)`.
    private static func constant(_ node: ONNXNode, decoding: ONNXTensorDecoding) throws -> ONNXConstant {
        if let tensor = try node.tensor("value") {
            return try decoding.decode(tensor, role: "the value of Constant node '\(node.name)'")
        }
        if let value = try node.float("value_float") { return ONNXConstant(shape: [], floats: [value]) }
        if let values = try node.floats("value_floats") { return ONNXConstant(shape: [values.count], floats: values) }
        if let value = try node.int("value_int") { return ONNXConstant(shape: [], ints: [value]) }
        if let values = try node.ints("value_ints") { return ONNXConstant(vector: values) }
        throw ONNXImportIssue.unsupported("only tensor, float and integer values are read")
    }

    /// `Shape`'s `start`/`end` (opset 15): the axes it reports, clamped to the rank.
    static func shapeRange(_ node: ONNXNode, rank: Int) throws -> Range<Int> {
        func clamped(_ axis: Int) -> Int { min(max(axis < 0 ? axis + rank : axis, 0), rank) }
        let start = clamped(try node.int("start", default: 0)), end = clamped(try node.int("end", default: rank))
        return start..<max(start, end)
    }

    /// `Cast` to ONNX data type `to`: floating types keep floats, integer types truncate, bool is `x ≠ 0`.
    private static func cast(_ x: ONNXConstant, to type: Int) throws -> ONNXConstant {
        switch Onnx_TensorProto.DataType(rawValue: type) ?? .undefined {
        case .float, .float16, .double, .bfloat16:
            return ONNXConstant(shape: x.shape, floats: x.floats)
        case .int8, .int16, .int32, .int64, .uint8, .uint16, .uint32, .uint64:
            return ONNXConstant(shape: x.shape, ints: x.ints)
        case .bool:
            return ONNXConstant(shape: x.shape, ints: x.floats.map { $0 != 0 ? 1 : 0 })
        default:
            throw ONNXImportIssue.unsupported("Cast to data type \(type) is not folded")
        }
    }

    static func normalized(_ axis: Int, rank: Int) throws -> Int {
        let normalized = axis < 0 ? axis + rank : axis
        guard normalized >= 0 && normalized < rank else {
            throw ONNXImportIssue.malformed("axis \(axis) is out of range for rank \(rank)")
        }
        return normalized
    }

    /// `Gather`: y[i…, j…, k…] = x[i…, indices[j…], k…] along `axis`; negative indices wrap.
    private func gather(_ x: ONNXConstant, indices: ONNXConstant, axis: Int) throws -> ONNXConstant {
        let axis = try Self.normalized(axis, rank: x.shape.count)
        let size = x.shape[axis]
        let picks = try indices.ints.map { index -> Int in
            let wrapped = index < 0 ? index + size : index
            guard wrapped >= 0 && wrapped < size else {
                throw ONNXImportIssue.malformed("Gather index \(index) is out of range for size \(size)")
            }
            return wrapped
        }
        let outer = x.shape[..<axis].reduce(1, *), inner = x.shape[(axis + 1)...].reduce(1, *)
        _ = try ONNXShapeRules.elementCount([outer, picks.count, inner], limit: max(limit, x.count))
        let sources: [Int] = (0..<outer).flatMap { (o: Int) -> [Int] in
            picks.flatMap { (pick: Int) -> [Int] in (0..<inner).map { (o * size + pick) * inner + $0 } }
        }
        return x.picking(sources, shape: Array(x.shape[..<axis]) + indices.shape + Array(x.shape[(axis + 1)...]))
    }

    /// `Slice` (opset ≥ 10): per listed axis, positions start, start + step, … before end, with
    /// ONNX's clamping (negative values count from the end; steps may be negative).
    static func slice(_ x: ONNXConstant, starts: [Int], ends: [Int], axes: [Int]?, steps: [Int]?) throws -> ONNXConstant {
        let rank = x.shape.count
        let axes = try (axes ?? Array(0..<starts.count)).map { try normalized($0, rank: rank) }
        let steps = steps ?? Array(repeating: 1, count: starts.count)
        guard starts.count == ends.count, axes.count == starts.count, steps.count == starts.count,
              Set(axes).count == axes.count else {
            throw ONNXImportIssue.malformed("Slice starts, ends, axes and steps differ in length")
        }
        var picks = x.shape.map { Array(0..<$0) }
        for (position, axis) in axes.enumerated() {
            let (start, end, step) = (starts[position], ends[position], steps[position])
            guard step != 0 else { throw ONNXImportIssue.malformed("Slice step 0") }
            picks[axis] = ONNXShapeRules.slicePositions(size: x.shape[axis], start: start, end: end, step: step)
        }
        return gatherGrid(x, picks: picks)
    }

    /// The elements at the Cartesian product of per-axis positions.
    private static func gatherGrid(_ x: ONNXConstant, picks: [[Int]]) -> ONNXConstant {
        let strides = ONNXConstant.strides(x.shape)
        var sources = [0]
        for (axis, positions) in picks.enumerated() {
            sources = sources.flatMap { base in positions.map { base + $0 * strides[axis] } }
        }
        return x.picking(sources, shape: picks.map(\.count))
    }

    private static func concat(_ values: [ONNXConstant], axis: Int) throws -> ONNXConstant {
        guard let first = values.first else { throw ONNXImportIssue.malformed("Concat has no inputs") }
        let axis = try normalized(axis, rank: first.shape.count)
        for value in values {
            guard value.shape.count == first.shape.count,
                  value.shape.indices.allSatisfy({ $0 == axis || value.shape[$0] == first.shape[$0] }) else {
                throw ONNXImportIssue.malformed("Concat of shapes \(values.map(\.shape)) along axis \(axis)")
            }
        }
        let outer = first.shape[..<axis].reduce(1, *)
        var shape = first.shape
        shape[axis] = values.reduce(0) { $0 + $1.shape[axis] }
        func joined<T>(_ arrays: [[T]]) -> [T] {
            (0..<outer).flatMap { o in
                zip(values, arrays).flatMap { value, elements in
                    let block = value.shape[axis...].reduce(1, *)
                    return elements[(o * block)..<((o + 1) * block)]
                }
            }
        }
        if values.allSatisfy(\.isInteger) { return ONNXConstant(shape: shape, ints: joined(values.map(\.ints))) }
        return ONNXConstant(shape: shape, floats: joined(values.map(\.floats)))
    }

    private static func transpose(_ x: ONNXConstant, perm: [Int]) throws -> ONNXConstant {
        guard perm.sorted() == Array(x.shape.indices) else {
            throw ONNXImportIssue.malformed("Transpose perm \(perm) for rank \(x.shape.count)")
        }
        let strides = ONNXConstant.strides(x.shape)
        var sources = [0]
        for axis in perm {
            sources = sources.flatMap { base in (0..<x.shape[axis]).map { base + $0 * strides[axis] } }
        }
        return x.picking(sources, shape: perm.map { x.shape[$0] })
    }

    /// `ConstantOfShape`: a tensor of the given shape filled with `value`'s single element (float 0 by default).
    private func constantOfShape(_ shape: ONNXConstant, node: ONNXNode,
                                        decoding: ONNXTensorDecoding) throws -> ONNXConstant {
        let dims = shape.ints
        let count = try ONNXShapeRules.elementCount(dims, limit: limit)
        guard let tensor = try node.tensor("value") else { return ONNXConstant(shape: dims, floats: Array(repeating: 0, count: count)) }
        let value = try decoding.decode(tensor, role: "the value of ConstantOfShape node '\(node.name)'")
        guard value.count == 1 else { throw ONNXImportIssue.malformed("ConstantOfShape value has \(value.count) elements") }
        switch value.elements {
        case .float(let values): return ONNXConstant(shape: dims, floats: Array(repeating: values[0], count: count))
        case .int(let values): return ONNXConstant(shape: dims, ints: Array(repeating: values[0], count: count))
        }
    }

    /// `Range`: start, start + delta, … while before `limit`; ⌈(limit − start)/delta⌉ elements.
    private func range(start: ONNXConstant, limit: ONNXConstant, delta: ONNXConstant) throws -> ONNXConstant {
        guard start.count == 1, limit.count == 1, delta.count == 1 else {
            throw ONNXImportIssue.malformed("Range takes scalars")
        }
        if start.isInteger && limit.isInteger && delta.isInteger {
            let (first, last, step) = (start.ints[0], limit.ints[0], delta.ints[0])
            let count = try rangeCount((Double(last) - Double(first)) / Double(step))
            return ONNXConstant(vector: (0..<count).map { first &+ $0 &* step })
        }
        let (first, last, step) = (start.floats[0], limit.floats[0], delta.floats[0])
        let count = try rangeCount(Double((last - first) / step))
        return ONNXConstant(shape: [count], floats: (0..<count).map { first + Float($0) * step })
    }

    /// ⌈steps⌉ elements (none when negative), checked against the constant size limit.
    private func rangeCount(_ steps: Double) throws -> Int {
        guard steps.isFinite else { throw ONNXImportIssue.malformed("Range with a zero or non-finite step count") }
        let count = Swift.max(0, steps.rounded(.up))
        guard count <= Double(limit) else {
            throw ONNXImportIssue.malformed("Range of \(count) elements")
        }
        return Int(count)
    }

    /// `Where(condition, x, y)`: x where the condition holds, else y, all broadcast.
    private func select(_ condition: ONNXConstant, _ x: ONNXConstant, _ y: ONNXConstant) throws -> ONNXConstant {
        let (x, y) = (x.floatsIfMixed(with: y), y.floatsIfMixed(with: x))
        let mask = ONNXConstant(shape: condition.shape, ints: condition.ints)
        return try elementwise([mask, x, y], int: { $0[0] != 0 ? $0[1] : $0[2] },
                               float: { $0[0] != 0 ? $0[1] : $0[2] }, resultFrom: 1)
    }

    /// `Expand`: x broadcast with `shape` (NumPy rules, so the result may be larger than `shape`).
    private func expand(_ x: ONNXConstant, to shape: [Int]) throws -> ONNXConstant {
        guard let output = ONNXShapeRules.broadcast(x.shape, shape) else {
            throw ONNXImportIssue.malformed("cannot expand \(x.shape) to \(shape)")
        }
        _ = try ONNXShapeRules.elementCount(output, limit: max(limit, x.count))
        return x.picking(ONNXShapeRules.broadcastSources(from: x.shape, to: output), shape: output)
    }

    /// An element-wise function of broadcast operands: integers when every operand is an
    /// integer tensor (or, with `resultFrom`, when that operand and the later ones are), else floats.
    func elementwise(_ operands: [ONNXConstant], int: ([Int]) -> Int, float: ([Float]) -> Float,
                                    resultFrom: Int = 0) throws -> ONNXConstant {
        guard let shape = operands.dropFirst().reduce(Optional(operands[0].shape), { shape, operand in
            shape.flatMap { ONNXShapeRules.broadcast($0, operand.shape) }
        }) else {
            throw ONNXImportIssue.malformed("operands of shapes \(operands.map(\.shape)) do not broadcast")
        }
        let count = try ONNXShapeRules.elementCount(shape, limit: max(limit, operands.map(\.count).max() ?? 0))
        let sources = operands.map { ONNXShapeRules.broadcastSources(from: $0.shape, to: shape) }
        if operands[resultFrom...].allSatisfy(\.isInteger) {
            let values = operands.map(\.ints)
            return ONNXConstant(shape: shape, ints: (0..<count).map { i in int(values.indices.map { values[$0][sources[$0][i]] }) })
        }
        let values = operands.map(\.floats)
        return ONNXConstant(shape: shape, floats: (0..<count).map { i in float(values.indices.map { values[$0][sources[$0][i]] }) })
    }
}

private extension ONNXConstant {
    /// This value as floats when the other operand is a float tensor (ONNX requires equal types;
    /// mixed types come only from folding integer shapes with float scales).
    func floatsIfMixed(with other: ONNXConstant) -> ONNXConstant {
        isInteger && !other.isInteger ? ONNXConstant(shape: shape, floats: floats) : self
    }
}
