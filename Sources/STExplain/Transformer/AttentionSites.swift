import STCore

/// Where a transformer's attention maps are: every softmax whose output — directly or through
/// dropout and reshapes — is the left operand of a matrix product (the A of A·V), in graph order.
enum AttentionSites {
    /// The attention maps of `graph`, or an error naming `method` when it has none.
    static func nodes(in graph: Graph, method: Method) throws -> [String] {
        var consumers: [String: [Node]] = [:]
        for node in graph.nodes {
            for input in node.inputs { consumers[input, default: []].append(node) }
        }
        func weighsValues(_ name: String) -> Bool {
            (consumers[name] ?? []).contains { node in
                switch node.op {
                case is MatMul: node.inputs[0] == name
                case is Dropout, is Reshape: weighsValues(node.name)
                default: false
                }
            }
        }
        let sites = graph.nodes.filter { node in
            guard let softmax = node.op as? Softmax, !softmax.log else { return false }
            return weighsValues(node.name)
        }.map(\.name)
        guard !sites.isEmpty else {
            throw STError.invalidRequest("\(method.rawValue) reads a transformer's attention maps (a softmax whose output "
                                         + "weighs the values, A·V), and this model has none")
        }
        return sites
    }
}
