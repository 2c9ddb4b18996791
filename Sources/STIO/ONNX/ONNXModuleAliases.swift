/// PyTorch module paths recovered from the node names `torch.onnx.export` writes.
///
/// The exporter names a node after the module scopes it ran in, then the op:
/// `/layer1/layer1.0/conv1/Conv` is the `Conv` of module `layer1.0.conv1` (each scope either
/// extends the previous path, `layer1` → `layer1.0`, or is a child name, `conv1`). Aliasing every
/// module path to the last node computed inside it lets explainers take PyTorch names
/// (`layer4`, `layer4.1`, `layer4.1.conv2`) on imported models as on built-in ones.
enum ONNXModuleAliases {
    /// The module paths of a scoped node name, outermost first and the node's own module last
    /// (`["layer1", "layer1.0", "layer1.0.conv1"]`), or nil without scopes (`Conv_0`, `/Flatten`).
    static func modulePaths(ofNode name: String) -> [String]? {
        guard name.hasPrefix("/") else { return nil }
        let scopes = name.split(separator: "/").dropLast().map(String.init)
        guard !scopes.isEmpty else { return nil }
        var paths: [String] = []
        for scope in scopes {
            guard let parent = paths.last else {
                paths.append(scope)
                continue
            }
            paths.append(scope.hasPrefix(parent + ".") ? scope : "\(parent).\(scope)")
        }
        return paths
    }

    /// Alias → engine node for `(ONNX node name, engine node)` pairs in topological order: every
    /// module path (and each enclosing one) maps to the last node computed inside it.
    static func aliases(_ producers: [(onnxName: String, node: String)]) -> [String: String] {
        var aliases: [String: String] = [:]
        for (name, node) in producers {
            for path in modulePaths(ofNode: name) ?? [] { aliases[path] = node }
        }
        return aliases
    }
}
