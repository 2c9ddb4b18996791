import STCore

/// ONNX `LSTM` → the engine's batch-first `LSTM`, once per direction.
extension ONNXGraphConverter {
    /// An `LSTM` in any direction with the default activations (σ, tanh, tanh), no peepholes,
    /// clip, sequence lengths or `input_forget`, and zero (or absent) initial states.
    ///
    /// ONNX stores W `(D, 4H, in)`, R `(D, 4H, H)` and B `(D, 8H)` (= W_b ‖ R_b) for D = 1
    /// direction (forward or reverse) or D = 2 (bidirectional: forward, then reverse), with gate
    /// blocks in the order i, o, f, c; the engine (PyTorch) wants i, f, g(=c), o. Each direction
    /// is one LSTM node — `<name>` for the first, `<name>.reverse` for a bidirectional one's
    /// second — with its reordered `weight_ih_l0`, `weight_hh_l0`, `bias_ih_l0`, `bias_hh_l0`
    /// (PyTorch's `…_l0_reverse` names, `<name>.weight_ih_l0_reverse`, for the second).
    ///
    /// Layout 0 (the default) has X `(T, N, in)`: `<name>.batch_first` permutes it to `(N, T, in)`.
    /// The reverse direction reads X backwards in time: `<lstm>.flip_input` is X at steps
    /// T−1, …, 0, and `<lstm>.flip_output` puts its hidden states back in X's order, so that
    /// step t of Y holds the state after reading x_{T−1} … x_t.
    ///
    /// Outputs are built only when read. Y `(T, D, N, H)` (layout 1: `(N, T, D, H)`): the
    /// directions' states side by side (`<name>.concat_directions`, D = 2), split into
    /// `(N, T, D, H)` and, for layout 0, permuted (`<name>.directions`, `<name>.Y`). Y_h
    /// `(D, N, H)` (layout 1: `(N, D, H)`): each direction's last state — the forward one at
    /// t = T−1, the reverse one at t = 0 — as `<lstm>.last_step`, joined in
    /// `<name>.concat_last` (D = 2) and permuted to `<name>.Y_h` for layout 0. Y_c is not computed.
    mutating func convertLSTM(_ node: ONNXNode) throws {
        let reversedDirections: [Bool]
        switch try node.string("direction") ?? "forward" {
        case "forward": reversedDirections = [false]
        case "reverse": reversedDirections = [true]
        case "bidirectional": reversedDirections = [false, true]
        case let other: throw ONNXImportIssue.malformed("direction '\(other)'")
        }
        let count = reversedDirections.count
        if let activations = try node.strings("activations"),
           activations != Array(repeating: ["Sigmoid", "Tanh", "Tanh"], count: count).flatMap({ $0 }) {
            throw ONNXImportIssue.unsupported("activations \(activations)")
        }
        guard try node.float("clip") == nil, try node.int("input_forget", default: 0) == 0 else {
            throw ONNXImportIssue.unsupported("clip or input_forget")
        }
        guard node.input(4) == nil, node.input(7) == nil else {
            throw ONNXImportIssue.unsupported("sequence_lens or peepholes")
        }
        for (index, role) in [(5, "initial hidden state"), (6, "initial cell state")] {
            guard let initial = try constantInput(node, index, role: role) else { continue }
            guard initial.floats.allSatisfy({ $0 == 0 }) else { throw ONNXImportIssue.unsupported("a non-zero \(role)") }
        }
        let batchFirst = try node.int("layout", default: 0) == 1
        let input = try tensorInput(node, 0)
        guard let w = try constantInput(node, 1, role: "input weights W"), let r = try constantInput(node, 2, role: "recurrent weights R"),
              w.shape.count == 3, r.shape.count == 3, w.shape[0] == count, r.shape[0] == count else {
            throw ONNXImportIssue.malformed("W and R must be (\(count), 4H, ·) for \(count) direction(s)")
        }
        let hidden = r.shape[2]
        guard hidden > 0, try node.int("hidden_size", default: hidden) == hidden, w.shape[1] == 4 * hidden, r.shape[1] == 4 * hidden else {
            throw ONNXImportIssue.malformed("W \(w.shape) and R \(r.shape) do not fit hidden size \(hidden)")
        }
        let b = try constantInput(node, 3, role: "bias B")
        if let b, b.count != count * 8 * hidden { throw ONNXImportIssue.malformed("B \(b.shape) is not (\(count), 8H)") }
        let sequence = batchFirst ? input : try addNode(available("\(node.name).batch_first"), Permute([1, 0, 2]), inputs: [input])
        let steps = shape(sequence)[1]
        let backwards = Array((0..<steps).reversed())
        let read = node.outputs.map { !$0.isEmpty && consumed.contains($0) }
        let wantsY = read[0], wantsYh = read.count > 1 && read[1]
        var sequences: [String] = [], lasts: [String] = []
        for (direction, reversed) in reversedDirections.enumerated() {
            let name = direction == 0 ? node.name : available("\(node.name).reverse")
            let keySuffix = direction == 0 ? "" : "_reverse"
            let wRows = 4 * hidden * w.shape[2], rRows = 4 * hidden * hidden
            func entry(_ role: String, _ values: ArraySlice<Float>, _ shape: [Int]) -> ONNXStateEntry {
                ONNXStateEntry(role: role, value: Self.gatesReordered(Array(values), rows: shape),
                               preferredKey: keySuffix.isEmpty ? nil : "\(node.name).\(role)\(keySuffix)")
            }
            var parameters = [
                entry("weight_ih_l0", w.floats[(direction * wRows)..<((direction + 1) * wRows)], [4 * hidden, w.shape[2]]),
                entry("weight_hh_l0", r.floats[(direction * rRows)..<((direction + 1) * rRows)], [4 * hidden, hidden]),
            ]
            if let b {
                let base = direction * 8 * hidden
                parameters.append(entry("bias_ih_l0", b.floats[base..<(base + 4 * hidden)], [4 * hidden]))
                parameters.append(entry("bias_hh_l0", b.floats[(base + 4 * hidden)..<(base + 8 * hidden)], [4 * hidden]))
            }
            let lstmInput = reversed
                ? try addNode(available("\(name).flip_input"), IndexSelect(axis: 1, indices: backwards), inputs: [sequence])
                : sequence
            let lstm = try addNode(name, LSTM(hiddenSize: hidden, bias: b != nil), inputs: [lstmInput], parameters: parameters)
            if wantsY {
                sequences.append(reversed
                    ? try addNode(available("\(name).flip_output"), IndexSelect(axis: 1, indices: backwards), inputs: [lstm])
                    : lstm)
            }
            if wantsYh {
                lasts.append(try addNode(available("\(name).last_step"), Slice(axis: 1, start: -1), inputs: [lstm]))
            }
        }
        if wantsY {
            let joined = count == 1 ? sequences[0]
                : try addNode(available("\(node.name).concat_directions"), Concat(axis: 2), inputs: sequences)
            let split = Reshape([0, steps, count, hidden])
            if batchFirst {
                bind(node.outputs[0], to: .node(try addNode(available("\(node.name).Y"), split, inputs: [joined])))
            } else {
                let directions = try addNode(available("\(node.name).directions"), split, inputs: [joined])
                bind(node.outputs[0], to: .node(try addNode(available("\(node.name).Y"), Permute([1, 2, 0, 3]), inputs: [directions])))
            }
        }
        if wantsYh {
            let joined = count == 1 ? lasts[0] : try addNode(available("\(node.name).concat_last"), Concat(axis: 1), inputs: lasts)
            let yH = batchFirst ? joined : try addNode(available("\(node.name).Y_h"), Permute([1, 0, 2]), inputs: [joined])
            bind(node.outputs[1], to: .node(yH))
        }
        if node.outputs.count > 2 {
            markUnavailable([node.outputs[2]], report: UnsupportedOperator(op: "LSTM", node: node.name,
                                                                           detail: "its Y_c output is not computed"))
        }
    }

    /// Gate blocks (rows of H) reordered from ONNX's i, o, f, c to PyTorch's i, f, g, o.
    static func gatesReordered(_ values: [Float], rows shape: [Int]) -> Tensor {
        let block = values.count / 4
        let order = [0, 2, 3, 1]
        return Tensor(shape: shape, scalars: order.flatMap { values[($0 * block)..<(($0 + 1) * block)] })
    }
}
