import STCore

/// Control flow and sequences resolved at import time. `torch.onnx.export` writes
/// `torch.tensor_split` (MViT's pooled attention and skip connections) as a `Loop` with a
/// constant trip count that inserts slices into a sequence, and shape checks as an `If` on a
/// folded condition. Both are expanded into plain engine nodes: the loop unrolled, the branch
/// that the condition picks inlined, sequences tracked element by element.
extension ONNXGraphConverter {
    /// The most iterations a `Loop` is unrolled to.
    static let largestUnrolledLoop = 4096

    /// `If` with a condition known at import time: the chosen branch's nodes, converted in place.
    mutating func convertIf(_ node: ONNXNode) throws {
        guard let name = node.input(0), case .constant(let condition)? = values[name], condition.count == 1 else {
            throw ONNXImportIssue.unsupported("its condition is computed at run time")
        }
        let branchName = condition.ints[0] != 0 ? "then_branch" : "else_branch"
        guard let branch = try node.graph(branchName) else { throw ONNXImportIssue.malformed("\(branchName) is missing") }
        let outputs = try inlined(branch, bindings: [:])
        guard outputs.count == node.outputs.count else {
            throw ONNXImportIssue.malformed("\(branchName) has \(outputs.count) outputs for \(node.outputs.count)")
        }
        for (output, value) in zip(node.outputs, outputs) { bind(output, to: value) }
    }

    /// `Loop(M, cond, v…)` with a trip count and condition known at import time, unrolled: each
    /// iteration converts the body with the iteration number and condition as constants and the
    /// carried values of the previous one. Scan outputs must fold to constants (they are stacked).
    mutating func convertLoop(_ node: ONNXNode) throws {
        guard let body = try node.graph("body") else { throw ONNXImportIssue.malformed("the body is missing") }
        let tripCount = try integersInput(node, 0, role: "trip count")?.first
        var condition = try integersInput(node, 1, role: "condition").map { ($0.first ?? 0) != 0 } ?? true
        guard let tripCount, tripCount <= Self.largestUnrolledLoop else {
            throw ONNXImportIssue.unsupported(tripCount == nil ? "its trip count is not set"
                                              : "a trip count of \(tripCount!) (at most \(Self.largestUnrolledLoop) are unrolled)")
        }
        let carriedCount = node.proto.input.count - 2
        guard body.input.count == carriedCount + 2, body.output.count >= carriedCount + 1 else {
            throw ONNXImportIssue.malformed("the body's inputs and outputs do not match the loop's")
        }
        var carried = try (0..<carriedCount).map { index -> ONNXValue in
            guard let name = node.input(index + 2), let value = values[name] else {
                throw ONNXImportIssue.malformed("carried value \(index) is missing")
            }
            return value
        }
        var scans = Array(repeating: [ONNXConstant](), count: body.output.count - carriedCount - 1)
        var iteration = 0
        while iteration < tripCount && condition {
            var bindings = [body.input[0].name: ONNXValue.constant(ONNXConstant(shape: [], ints: [iteration])),
                            body.input[1].name: .constant(ONNXConstant(shape: [], ints: [1]))]
            for (input, value) in zip(body.input.dropFirst(2), carried) { bindings[input.name] = value }
            let outputs = try inlined(body, bindings: bindings)
            guard case .constant(let next) = outputs[0], next.count == 1 else {
                throw ONNXImportIssue.unsupported("its condition is computed at run time")
            }
            condition = next.ints[0] != 0
            carried = Array(outputs[1...carriedCount])
            for (index, value) in outputs.dropFirst(carriedCount + 1).enumerated() {
                guard case .constant(let scanned) = value else {
                    throw ONNXImportIssue.unsupported("its scan output \(index) is computed at run time")
                }
                scans[index].append(scanned)
            }
            iteration += 1
        }
        for (output, value) in zip(node.outputs, carried) { bind(output, to: value) }
        for (output, elements) in zip(node.outputs.dropFirst(carriedCount), scans) {
            bind(output, to: .constant(try Self.stacked(elements)))
        }
    }

    /// `SequenceEmpty`, `SequenceConstruct`, `SequenceInsert`, `SequenceAt`, `SequenceLength`
    /// and `ConcatFromSequence` on sequences known element by element.
    mutating func convertSequenceOp(_ node: ONNXNode) throws {
        func sequence(_ index: Int) throws -> [ONNXValue] {
            guard let name = node.input(index), case .sequence(let elements)? = values[name] else {
                throw ONNXImportIssue.unsupported("input \(index) is not a sequence known at import time")
            }
            return elements
        }
        func element(_ index: Int) throws -> ONNXValue {
            guard let name = node.input(index), let value = values[name] else { throw ONNXImportIssue.malformed("input \(index) is missing") }
            return value
        }
        func position(_ index: Int, count: Int, insert: Bool) throws -> Int? {
            guard let raw = try integersInput(node, index, role: "position")?.first else { return nil }
            let wrapped = raw < 0 ? raw + count : raw
            guard wrapped >= 0 && wrapped < count + (insert ? 1 : 0) else {
                throw ONNXImportIssue.malformed("position \(raw) for a sequence of \(count)")
            }
            return wrapped
        }
        switch node.opType {
        case "SequenceEmpty":
            bind(node.outputs[0], to: .sequence([]))
        case "SequenceConstruct":
            bind(node.outputs[0], to: .sequence(try node.proto.input.indices.map { try element($0) }))
        case "SequenceInsert":
            var elements = try sequence(0)
            elements.insert(try element(1), at: try position(2, count: elements.count, insert: true) ?? elements.count)
            bind(node.outputs[0], to: .sequence(elements))
        case "SequenceAt":
            let elements = try sequence(0)
            guard let index = try position(1, count: elements.count, insert: false) else {
                throw ONNXImportIssue.malformed("the position is missing")
            }
            bind(node.outputs[0], to: elements[index])
        case "SequenceLength":
            bind(node.outputs[0], to: .constant(ONNXConstant(shape: [], ints: [try sequence(0).count])))
        default:
            try convertConcatFromSequence(node, elements: try sequence(0))
        }
    }

    /// `ConcatFromSequence(axis, new_axis)`: a `Concat` of the elements, each first given a new
    /// size-1 axis at `axis` when `new_axis` is 1.
    private mutating func convertConcatFromSequence(_ node: ONNXNode, elements: [ONNXValue]) throws {
        guard !elements.isEmpty else { throw ONNXImportIssue.malformed("the sequence is empty") }
        guard let axis = try node.int("axis") else { throw ONNXImportIssue.malformed("axis is missing") }
        let newAxis = try node.int("new_axis", default: 0) != 0
        var parts: [String] = []
        for (index, element) in elements.enumerated() {
            var part = try tensor(element, named: "\(node.name).element\(index)", described: "sequence element \(index)")
            if newAxis {
                let partShape = shape(part)
                let inserted = try ONNXShapeRules.unsqueezed(partShape, axes: [axis])
                part = try addNode(available("\(node.name).unsqueeze\(index)"),
                                   Reshape(Self.reshapeTarget(inserted, keepsFirstAxis: (axis < 0 ? axis + inserted.count : axis) != 0)),
                                   inputs: [part])
            }
            parts.append(part)
        }
        bind(node.outputs[0], to: .node(try addNode(node.name, Concat(axis: axis), inputs: parts)))
    }

    /// The outputs of a subgraph converted in a nested scope with `bindings` for its inputs; its
    /// own initializers are constants there, and outer values stay visible.
    private mutating func inlined(_ graph: Onnx_GraphProto, bindings: [String: ONNXValue]) throws -> [ONNXValue] {
        try scoped { converter in
            for (name, value) in bindings { converter.bind(name, to: value) }
            for tensor in graph.initializer {
                converter.bind(tensor.name, to: .constant(try converter.decoding.decode(tensor, role: "initializer '\(tensor.name)'")))
            }
            for node in graph.node { try converter.convert(node) }
            return try graph.output.map { output in
                guard let value = converter.values[output.name] else {
                    throw ONNXImportIssue.malformed("the subgraph output '\(output.name)' is computed by no node")
                }
                return value
            }
        }
    }

    /// Constants of one shape stacked along a new first axis (a loop's scan output).
    private static func stacked(_ elements: [ONNXConstant]) throws -> ONNXConstant {
        guard let first = elements.first else { throw ONNXImportIssue.unsupported("a scan output of a loop that never runs") }
        guard elements.allSatisfy({ $0.shape == first.shape }) else { throw ONNXImportIssue.malformed("scan outputs differ in shape") }
        let shape = [elements.count] + first.shape
        if elements.allSatisfy(\.isInteger) { return ONNXConstant(shape: shape, ints: elements.flatMap(\.ints)) }
        return ONNXConstant(shape: shape, floats: elements.flatMap(\.floats))
    }
}
