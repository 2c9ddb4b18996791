import STCore

/// What an ONNX value name stands for while a model is converted.
enum ONNXValue {
    /// The output of an engine node, or a graph input.
    case node(String)
    /// A tensor known at import time (initializer, `Constant`, folded shape arithmetic).
    case constant(ONNXConstant)
    /// The engine node `source` zero-padded by the `Pad` node `padNode` (ONNX `pads` layout:
    /// all begins, then all ends), pending: a following `Conv` or `AveragePool` absorbs it into
    /// its window padding; any other reader gets a `Pad` node.
    case zeroPadded(source: String, pads: [Int], padNode: String)
    /// Not computed. `report` is the entry to add to the unsupported list when something reads
    /// it; nil when its producer is already listed.
    case unavailable(report: UnsupportedOperator?)
    /// An ONNX sequence (`SequenceEmpty`, `SequenceInsert`, a `Loop`'s carried list), resolved at
    /// import time into its elements.
    case sequence([ONNXValue])
}

/// A trained parameter or buffer handed to `ONNXGraphConverter.addNode`.
struct ONNXStateEntry {
    /// The op's role for it (`weight`, `running_mean`).
    let role: String
    let value: Tensor
    /// The state key to use, normally the initializer's name; the node's `name.role` otherwise.
    let preferredKey: String?
}

/// Converts an ONNX graph node by node into a `GraphBuilder`, keeping node names, naming
/// parameters after initializers, folding import-time constants and collecting every operator
/// the engine cannot express. The op-specific conversions live in the `ONNX…Ops.swift` files.
struct ONNXGraphConverter {
    let source: String
    let opset: Int
    let decoding: ONNXTensorDecoding
    /// Evaluates nodes whose inputs are all import-time constants.
    let folding: ONNXConstantFolding
    /// ONNX value names that some node or the graph's outputs read.
    let consumed: Set<String>
    private(set) var builder: GraphBuilder
    /// Names of the graph inputs (the engine graph's inputs too).
    private let graphInputs: Set<String>
    var values: [String: ONNXValue] = [:]
    /// Output shape of every engine node and graph input, at the import shapes.
    private(set) var shapes: [String: [Int]] = [:]
    /// Parameters and buffers by state key, as handed to the builder.
    private var state: [String: Tensor] = [:]
    /// Engine node and input names in use.
    private var names: Set<String>
    /// Engine node that materialised each constant value read as a tensor.
    private var materialized: [String: String] = [:]
    private(set) var unsupported: [UnsupportedOperator] = []
    private(set) var foldedCount = 0
    /// (ONNX node name, engine node computing its first output), in order, for module aliases.
    private var producers: [(onnxName: String, node: String)] = []

    init(graph: Onnx_GraphProto, inputs: [(name: String, shape: [Int])], initializers: [String: ONNXConstant],
         opset: Int, decoding: ONNXTensorDecoding, folding: ONNXConstantFolding) {
        source = decoding.source
        self.folding = folding
        self.opset = opset
        self.decoding = decoding
        consumed = Set(graph.node.flatMap(\.input) + graph.output.map(\.name))
        builder = GraphBuilder(inputs: inputs)
        names = Set(inputs.map(\.name))
        graphInputs = names
        for (name, value) in initializers { values[name] = .constant(value) }
        for (name, shape) in inputs {
            values[name] = .node(name)
            shapes[name] = shape
        }
    }

    // MARK: - Nodes

    /// Converts one node (in topological order): folds it when its inputs are constants,
    /// otherwise adds engine nodes, or records it as unsupported and marks its outputs unavailable.
    mutating func convert(_ proto: Onnx_NodeProto) throws {
        let node = ONNXNode(proto, name: available(proto.name.isEmpty ? proto.output.first ?? proto.opType : proto.name))
        guard !proto.output.isEmpty else { throw fail(node, "it has no outputs") }
        var inputs: [ONNXValue?] = []
        for name in proto.input {
            guard !name.isEmpty else { inputs.append(nil); continue }
            guard let value = values[name] else {
                throw fail(node, "reads '\(name)', which no earlier node, graph input or initializer produces"
                           + " (is the model saved without its weights?)")
            }
            inputs.append(value)
        }
        let knownDomain = proto.domain.isEmpty || proto.domain == "ai.onnx"
        let knownOp = knownDomain && (Self.convertedOperators.contains(node.opType) || ONNXConstantFolding.foldable.contains(node.opType))
        for case .unavailable(let report)? in inputs {
            // Listed even downstream of an unsupported node, so one error names every op type.
            if let report { record(report) }
            if !knownOp { record(UnsupportedOperator(op: Self.qualifiedType(proto), node: node.name, detail: "")) }
            markUnavailable(node)
            return
        }
        guard knownDomain else {
            record(UnsupportedOperator(op: Self.qualifiedType(proto), node: node.name, detail: ""))
            markUnavailable(node)
            return
        }
        let constants = inputs.map { value -> ONNXConstant? in
            if case .constant(let constant)? = value { return constant }
            return nil
        }
        let foldable = ONNXConstantFolding.foldable.contains(node.opType)
            && zip(inputs, constants).allSatisfy { $0 == nil || $1 != nil }
        do {
            if foldable {
                let outputs = try folding.evaluateOutputs(node, inputs: constants, opset: opset, decoding: decoding)
                for (name, value) in zip(node.outputs, outputs) { bind(name, to: .constant(value)) }
                foldedCount += 1
                return
            }
            try dispatch(node)
            switch node.outputs.first.flatMap({ values[$0] }) {
            case .node(let engineNode)?: producers.append((proto.name, engineNode))
            case .constant?: foldedCount += 1
            default: break
            }
        } catch ONNXImportIssue.unsupported(let detail) {
            record(UnsupportedOperator(op: node.opType, node: node.name, detail: detail))
            markUnavailable(node)
        } catch ONNXImportIssue.malformed(let reason) {
            throw fail(node, reason)
        } catch STError.shape(_, let reason) {
            throw fail(node, reason)
        }
    }

    /// The finished graph computing the first ONNX graph output; throws the list of unsupported
    /// operators if there is one. Aliases: the output's ONNX name, and PyTorch module paths
    /// recovered from `torch.onnx.export` node names (`layer4.1.conv2`, `layer4`).
    mutating func finish(outputs: [String]) throws -> Graph {
        guard let first = outputs.first else { throw STError.badInput(file: source, reason: "the graph has no outputs") }
        guard var value = values[first] else {
            throw STError.badInput(file: source, reason: "the graph output '\(first)' is computed by no node")
        }
        if case .unavailable(let report?) = value { record(report) }
        if case .zeroPadded(let source, let pads, let padNode) = value {
            value = .node(try materializedPad(first, source: source, pads: pads, padNode: padNode))
        }
        guard unsupported.isEmpty else {
            throw STError.badInput(file: source,
                                   reason: "unsupported operators: " + unsupported.map(\.description).joined(separator: ", "))
        }
        guard case .node(let output) = value else {
            throw STError.badInput(file: source, reason: "the graph output '\(first)' is a constant; there is nothing to compute")
        }
        for (alias, node) in ONNXModuleAliases.aliases(producers) where !names.contains(alias) {
            builder.alias(alias, to: node)
        }
        if first != output && !names.contains(first) { builder.alias(first, to: output) }
        return try builder.build(output: output)
    }

    // MARK: - Reading inputs

    /// The engine node (or graph input) that input `index` is, materialising a constant as a
    /// `ParameterValue` (float initializers, named after them) or `Constant` node and a pending
    /// zero padding as a `Pad` node.
    mutating func tensorInput(_ node: ONNXNode, _ index: Int) throws -> String {
        guard let name = node.input(index), let value = values[name] else {
            throw ONNXImportIssue.malformed("input \(index) is missing")
        }
        return try tensor(value, named: name, described: "input \(index)")
    }

    /// The engine node `value` (bound to the ONNX name `name`) is, materialised as `tensorInput`
    /// describes; `described` names it in errors.
    mutating func tensor(_ value: ONNXValue, named name: String, described: String) throws -> String {
        switch value {
        case .node(let engineNode):
            return engineNode
        case .constant(let constant):
            return try materialize(name, constant)
        case .zeroPadded(let source, let pads, let padNode):
            return try materializedPad(name, source: source, pads: pads, padNode: padNode)
        case .unavailable:
            throw ONNXImportIssue.malformed("\(described) is not computed")
        case .sequence:
            throw ONNXImportIssue.malformed("\(described) is a sequence where a tensor is expected")
        }
    }

    /// Input `index` as a constant (a weight, a bias); nil when the optional input is absent.
    /// A graph input in its place means the model was exported without weights.
    func constantInput(_ node: ONNXNode, _ index: Int, role: String) throws -> ONNXConstant? {
        guard let name = node.input(index) else { return nil }
        switch values[name] {
        case .constant(let constant)?:
            return constant
        case .node(let engineNode)? where graphInputs.contains(engineNode):
            throw STError.badInput(file: source, reason: "node '\(node.name)' (\(node.opType)) reads its \(role) from the graph input '\(name)',"
                                   + " not an initializer: the model carries no weights (export it with export_params=True)")
        default:
            throw ONNXImportIssue.unsupported("its \(role) is computed at run time, not stored in the model")
        }
    }

    /// Input `index` as integers known at import time (axes, shapes, pads); nil when absent.
    func integersInput(_ node: ONNXNode, _ index: Int, role: String) throws -> [Int]? {
        guard let name = node.input(index) else { return nil }
        guard case .constant(let constant)? = values[name] else {
            throw ONNXImportIssue.unsupported("its \(role) is computed at run time")
        }
        return constant.ints
    }

    /// The import-time shape of an engine node or graph input.
    func shape(_ engineNode: String) -> [Int] { shapes[engineNode]! }

    // MARK: - Writing

    /// Adds an engine node after checking its output shape; parameters and buffers are given in
    /// the op's role order and stored under their preferred keys when those are free.
    @discardableResult
    mutating func addNode(_ name: String, _ op: any Op, inputs: [String], parameters: [ONNXStateEntry] = [],
                          buffers: [ONNXStateEntry] = []) throws -> String {
        precondition(parameters.map(\.role) == op.parameterRoles && buffers.map(\.role) == op.bufferRoles,
                     "state roles of \(op.typeName) out of order")
        let outputShape = try op.outputShape(inputs: inputs.map(shape), parameters: (parameters + buffers).map(\.value.shape))
        let parameterKeys = parameters.map { stateKey(for: $0, node: name) }
        let bufferKeys = buffers.map { stateKey(for: $0, node: name) }
        try builder.add(name, op, inputs: inputs,
                        parameters: Dictionary(uniqueKeysWithValues: parameters.map { ($0.role, $0.value) }),
                        buffers: Dictionary(uniqueKeysWithValues: buffers.map { ($0.role, $0.value) }),
                        parameterKeys: parameterKeys, bufferKeys: bufferKeys)
        names.insert(name)
        shapes[name] = outputShape
        return name
    }

    /// `preferred` if no engine name uses it yet, else `preferred_2`, `preferred_3`, ….
    func available(_ preferred: String) -> String {
        guard names.contains(preferred) else { return preferred }
        var suffix = 2
        while names.contains("\(preferred)_\(suffix)") { suffix += 1 }
        return "\(preferred)_\(suffix)"
    }

    /// Records that ONNX value `name` is the output of engine node `engineNode`.
    mutating func bind(_ name: String, to value: ONNXValue) {
        guard !name.isEmpty else { return }
        values[name] = value
    }

    /// Marks a node's outputs as not computed; `report` is listed if something reads them.
    mutating func markUnavailable(_ names: [String], report: UnsupportedOperator?) {
        for name in names { bind(name, to: .unavailable(report: report)) }
    }

    /// Runs `body` in a nested scope (a `Loop` iteration, an `If` branch): the value names it
    /// binds are forgotten afterwards, so the next iteration's body sees the outer values again;
    /// the engine nodes it adds stay.
    mutating func scoped<R>(_ body: (inout ONNXGraphConverter) throws -> R) rethrows -> R {
        let (outerValues, outerMaterialized) = (values, materialized)
        defer { (values, materialized) = (outerValues, outerMaterialized) }
        return try body(&self)
    }

    // MARK: - Private

    private mutating func markUnavailable(_ node: ONNXNode) {
        markUnavailable(node.outputs, report: nil)
    }

    private mutating func record(_ entry: UnsupportedOperator) {
        guard !unsupported.contains(where: { $0.op == entry.op }) else { return }
        unsupported.append(entry)
    }

    /// The key a parameter is stored under: the preferred key (the initializer's name) or the
    /// node's `name.role`, whichever is free or already holds the same tensor (shared weights).
    private mutating func stateKey(for entry: ONNXStateEntry, node: String) -> String {
        let fallback = "\(node).\(entry.role)"
        for candidate in [entry.preferredKey, fallback].compactMap({ $0 })
        where state[candidate].map({ $0 == entry.value }) ?? true {
            state[candidate] = entry.value
            return candidate
        }
        var suffix = 2
        while state["\(fallback)_\(suffix)"] != nil { suffix += 1 }
        state["\(fallback)_\(suffix)"] = entry.value
        return "\(fallback)_\(suffix)"
    }

    private mutating func materialize(_ valueName: String, _ constant: ONNXConstant) throws -> String {
        if let node = materialized[valueName] { return node }
        let name = available(constant.initializer ?? valueName)
        if let initializer = constant.initializer, !constant.isInteger {
            try addNode(name, ParameterValue(), inputs: [],
                        parameters: [ONNXStateEntry(role: "value", value: constant.tensor, preferredKey: initializer)])
        } else {
            try addNode(name, Constant(constant.tensor), inputs: [])
        }
        materialized[valueName] = name
        return name
    }

    private func fail(_ node: ONNXNode, _ reason: String) -> STError {
        .badInput(file: source, reason: "node '\(node.name)' (\(node.opType)): \(reason)")
    }

    /// The op type, prefixed with its domain outside the default one (`com.microsoft.FusedConv`).
    private static func qualifiedType(_ proto: Onnx_NodeProto) -> String {
        proto.domain.isEmpty || proto.domain == "ai.onnx" ? proto.opType : "\(proto.domain).\(proto.opType)"
    }
}
