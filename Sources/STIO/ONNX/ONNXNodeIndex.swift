/// Who produces and who reads each value of an ONNX node list, and the rewrite that replaces
/// matched patterns: what the import-time fusions (`ONNXGELUFusion`, `ONNXLayerNormFusion`)
/// share.
struct ONNXNodeIndex {
    let nodes: [Onnx_NodeProto]
    /// The node writing each value.
    private(set) var producer: [String: Int] = [:]
    /// The nodes reading each value, in order.
    private(set) var consumers: [String: [Int]] = [:]
    /// Nodes of matched patterns, dropped by `rewritten`.
    private var removed = Set<Int>()
    /// The node standing for a pattern, at the position of the pattern's last node.
    private var replacements: [Int: Onnx_NodeProto] = [:]

    init(_ nodes: [Onnx_NodeProto]) {
        self.nodes = nodes
        for (index, node) in nodes.enumerated() {
            for output in node.output { producer[output] = index }
            for input in node.input where !input.isEmpty { consumers[input, default: []].append(index) }
        }
    }

    /// The input of the two-input `node` other than `value`.
    func other(_ node: Onnx_NodeProto, _ value: String) -> String? {
        guard node.input.count == 2, node.input.contains(value) else { return nil }
        return node.input[0] == value ? node.input[1] : node.input[0]
    }

    /// Replaces the nodes `pattern` by `node`, placed where the pattern's node at `last` stood.
    mutating func replace(_ pattern: [Int], by node: Onnx_NodeProto, at last: Int) {
        removed.formUnion(pattern)
        replacements[last] = node
    }

    /// The node list with every replacement made.
    var rewritten: [Onnx_NodeProto] {
        guard !replacements.isEmpty else { return nodes }
        return nodes.indices.compactMap { index in
            replacements[index] ?? (removed.contains(index) ? nil : nodes[index])
        }
    }
}
