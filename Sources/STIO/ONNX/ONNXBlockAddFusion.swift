/// Finds PyTorch's in-place `x[..., a:, b:] += r` as `torch.onnx.export`'s dynamo exporter writes
/// it (MViT v2's relative positions added into the attention map): slices of x, the add, and one
/// `slice_scatter` per sliced axis, each a `ScatterND` of contiguous rows into a transposed copy
/// of its target with transposes around it,
///
///     inner = Transpose(ScatterND(Transpose(x[:, :, s:], p), rows t…, Transpose(x[:, :, s:, t:] + r, p)), p′)
///     y     = Transpose(ScatterND(Transpose(x, q), rows s…, Transpose(inner, q″)), q⁻¹)
///
/// and rewrites it as one node of type `opType` (engine `BlockAdd`, offsets (…, s, t)) that
/// writes y, so the attention map is copied once instead of six times. A remainder written back
/// unchanged (`x[:, :, 1:] = x[:, :, 1:]`, which functionalisation leaves after an in-place add
/// was merged elsewhere) becomes an `Identity`. Values are followed
/// through chains of transposes (composing their permutations), so the pattern is found however
/// the exporter distributes them; the fused node takes the name of the node it replaces.
enum ONNXBlockAddFusion {
    /// The op type of the fused node (not an ONNX operator: the dot keeps it apart from them).
    static let opType = "stexplain.BlockAdd"

    /// A value as `transpose(base, perm)`, with `added` in the block at `offsets` of base when
    /// it is a block add; `members` are the pattern's nodes it was read through.
    private struct View {
        var base: String
        var added: (r: String, offsets: [Int])?
        /// nil: the identity.
        var perm: [Int]?
        var members: Set<Int>
        /// Whether a `ScatterND` is among the members (a chain of transposes alone is left as it is).
        var scatters = false
    }

    /// `nodes` with every such pattern replaced; `constant` gives a value's constant (indices,
    /// slice bounds), `outputs` are the graph outputs (never removed).
    static func fused(_ nodes: [Onnx_NodeProto], constant: (String) -> ONNXConstant?, outputs: Set<String>) -> [Onnx_NodeProto] {
        let index = ONNXNodeIndex(nodes)
        var views: [String: View?] = [:]

        /// The value as its readers see it: a value that becomes a fused node of its own (a
        /// complete block add or write-back) is a plain value to them.
        func view(_ value: String) -> View {
            if let known = views[value] { return known ?? View(base: value, perm: nil, members: []) }
            var found = resolved(value)
            if let complete = found, isFused(value, complete) { found = nil }
            views[value] = .some(found)
            return found ?? View(base: value, perm: nil, members: [])
        }

        /// Whether `value` gets a fused node: its view went through a scatter and either needs no
        /// transpose or is read by no node that could continue the pattern.
        func isFused(_ value: String, _ found: View) -> Bool {
            found.scatters && (isIdentity(found.perm)
                || !(index.consumers[value] ?? []).contains { ["Transpose", "ScatterND"].contains(nodes[$0].opType) })
        }

        func resolved(_ value: String) -> View? {
            guard let producer = index.producer[value] else { return nil }
            let node = nodes[producer]
            switch node.opType {
            case "Transpose":
                guard let perm = node.attribute.first(where: { $0.name == "perm" })?.ints.map(Int.init) else { return nil }
                var inner = view(node.input[0])
                guard inner.perm.map({ $0.count == perm.count }) ?? true else { return nil }
                inner.perm = compose(inner.perm, perm)
                inner.members.insert(producer)
                return inner
            case "ScatterND":
                return scatter(node, at: producer)
            default:
                return nil
            }
        }

        /// A `ScatterND` of contiguous rows s… into `transpose(x, p)`: along axis p[0] of x, a
        /// block add when the updates, seen in x's axes, are x's remainder from s plus r, or a
        /// block add into that remainder.
        func scatter(_ node: Onnx_NodeProto, at position: Int) -> View? {
            guard node.input.count == 3,
                  !node.attribute.contains(where: { $0.name == "reduction" && String(decoding: $0.s, as: UTF8.self) != "none" }),
                  let start = contiguousRows(node.input[1]) else { return nil }
            let data = view(node.input[0])
            guard data.added == nil, let perm = data.perm else { return nil }
            var updates = view(node.input[2])
            guard updates.perm.map({ $0.count == perm.count }) ?? true else { return nil }
            updates.perm = compose(updates.perm, inverse(perm))
            guard isIdentity(updates.perm) else { return nil }
            let axis = perm[0]
            var members = data.members.union(updates.members)
            members.insert(position)
            if let slice = remainderSlice(updates.base, axis: axis, start: start), slice.source == data.base {
                // The remainder written back, unchanged (nil) or with a block add into it.
                members.insert(slice.node)
                let added = updates.added.map { added in
                    var offsets = added.offsets
                    offsets[axis] += start
                    return (added.r, offsets)
                }
                return View(base: data.base, added: added, perm: perm, members: members, scatters: true)
            }
            guard updates.added == nil else { return nil }
            guard let addIndex = index.producer[updates.base], nodes[addIndex].opType == "Add",
                  nodes[addIndex].input.count == 2 else { return nil }
            for (a, r) in [(0, 1), (1, 0)] {
                guard let slice = remainderSlice(nodes[addIndex].input[a], axis: axis, start: start),
                      slice.source == data.base else { continue }
                members.formUnion([addIndex, slice.node])
                var offsets = [Int](repeating: 0, count: perm.count)
                offsets[axis] = start
                return View(base: data.base, added: (nodes[addIndex].input[r], offsets), perm: perm, members: members,
                            scatters: true)
            }
            return nil
        }

        /// s when `value` holds the indices [[s], [s + 1], …] (shape n × 1).
        func contiguousRows(_ value: String) -> Int? {
            guard let indices = constant(value), indices.shape.count == 2, indices.shape[1] == 1,
                  let first = indices.ints.first, indices.ints == Array(first..<first + indices.ints.count) else { return nil }
            return first
        }

        /// The node and source of `value` when it is `source[…, start:, …]` along `axis` to the end.
        func remainderSlice(_ value: String, axis: Int, start: Int) -> (node: Int, source: String)? {
            guard let position = index.producer[value] else { return nil }
            let node = nodes[position]
            guard node.opType == "Slice", node.input.count >= 4,
                  constant(node.input[1])?.ints == [start], constant(node.input[3])?.ints == [axis],
                  let end = constant(node.input[2])?.ints.first, end >= Int(Int32.max),
                  node.input.count < 5 || constant(node.input[4])?.ints == [1] else { return nil }
            return (position, node.input[0])
        }

        var replacements: [Int: [Onnx_NodeProto]] = [:]
        var candidates = Set<Int>()
        for (position, node) in nodes.enumerated() where node.opType == "Transpose" || node.opType == "ScatterND" {
            guard let found = resolved(node.output[0]), isFused(node.output[0], found) else { continue }
            replacements[position] = replacement(of: node, by: found)
            candidates.formUnion(found.members.subtracting([position]))
        }
        guard !replacements.isEmpty else { return nodes }
        let rewritten = nodes.indices.flatMap { replacements[$0] ?? [nodes[$0]] }
        let shifted = candidates.map { candidate in
            candidate + replacements.filter { $0.key < candidate }.map { $0.value.count - 1 }.reduce(0, +)
        }
        return withoutUnread(rewritten, candidates: Set(shifted), outputs: outputs)
    }

    /// The nodes standing for `node` once its value is `found`: a block add (then a transpose if
    /// the value is transposed), or for an unchanged write-back a transpose or an identity.
    private static func replacement(of node: Onnx_NodeProto, by found: View) -> [Onnx_NodeProto] {
        var fused: [Onnx_NodeProto] = []
        var current = found.base
        if let added = found.added {
            current = isIdentity(found.perm) ? node.output[0] : node.output[0] + ".block"
            fused.append(.with {
                $0.opType = opType
                $0.name = node.name
                $0.input = [found.base, added.r]
                $0.output = [current]
                $0.attribute = [integersAttribute("offsets", added.offsets)]
            })
        }
        if let perm = found.perm, !isIdentity(perm) {
            fused.append(.with {
                $0.opType = "Transpose"
                $0.name = node.name + (fused.isEmpty ? "" : ".transpose")
                $0.input = [current]
                $0.output = [node.output[0]]
                $0.attribute = [integersAttribute("perm", perm)]
            })
        } else if found.added == nil {
            fused.append(.with { $0.opType = "Identity"; $0.name = node.name; $0.input = [current]; $0.output = [node.output[0]] })
        }
        return fused
    }

    private static func integersAttribute(_ name: String, _ values: [Int]) -> Onnx_AttributeProto {
        .with {
            $0.name = name
            $0.type = .ints
            $0.ints = values.map(Int64.init)
        }
    }

    /// `nodes` without the `candidates` nothing reads any more (repeatedly, so whole chains go);
    /// `outputs` are always read.
    private static func withoutUnread(_ nodes: [Onnx_NodeProto], candidates: Set<Int>, outputs: Set<String>) -> [Onnx_NodeProto] {
        var removed = Set<Int>()
        var changed = true
        while changed {
            changed = false
            var read = outputs
            for (position, node) in nodes.enumerated() where !removed.contains(position) { read.formUnion(node.input) }
            for candidate in candidates.subtracting(removed) where !nodes[candidate].output.contains(where: read.contains) {
                removed.insert(candidate)
                changed = true
            }
        }
        return nodes.indices.filter { !removed.contains($0) }.map { nodes[$0] }
    }

    /// transpose(transpose(a, first), second) = transpose(a, composed): composed[i] = first[second[i]].
    private static func compose(_ first: [Int]?, _ second: [Int]?) -> [Int]? {
        guard let first else { return second }
        guard let second else { return first }
        return second.map { first[$0] }
    }

    private static func inverse(_ perm: [Int]) -> [Int] {
        var result = perm
        for (position, axis) in perm.enumerated() { result[axis] = position }
        return result
    }

    private static func isIdentity(_ perm: [Int]?) -> Bool {
        perm.map { $0 == Array($0.indices) } ?? true
    }
}
