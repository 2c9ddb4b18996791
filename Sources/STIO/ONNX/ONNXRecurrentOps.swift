import STCore

/// ONNX `LSTM` → the engine's batch-first `LSTM`.
extension ONNXGraphConverter {
    /// A forward, single-direction `LSTM` with the default activations (σ, tanh, tanh), no
    /// peepholes, clip, sequence lengths or `input_forget`, and zero (or absent) initial states.
    ///
    /// ONNX stores W `(1, 4H, in)`, R `(1, 4H, H)` and B `(1, 8H)` (= W_b ‖ R_b) with gate blocks
    /// in the order i, o, f, c; the engine (PyTorch) wants i, f, g(=c), o. They are reordered into
    /// `<name>.weight_ih_l0`, `.weight_hh_l0`, `.bias_ih_l0`, `.bias_hh_l0`.
    ///
    /// Layout 0 (the default) has X `(T, N, in)`: `<name>.batch_first` permutes it to `(N, T, in)`
    /// for the LSTM node `<name>`. Outputs are built only when read: Y `(T, 1, N, H)` (layout 1:
    /// `(N, T, 1, H)`) as `<name>.Y`; Y_h `(1, N, H)` (layout 1: `(N, 1, H)`) from the last step
    /// as `<name>.last_step` / `<name>.Y_h`. Y_c is not computed.
    mutating func convertLSTM(_ node: ONNXNode) throws {
        let direction = try node.string("direction") ?? "forward"
        guard direction == "forward" else { throw ONNXImportIssue.unsupported("direction '\(direction)'; only forward LSTMs are imported") }
        if let activations = try node.strings("activations"), activations != ["Sigmoid", "Tanh", "Tanh"] {
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
              w.shape.count == 3, r.shape.count == 3, w.shape[0] == 1, r.shape[0] == 1 else {
            throw ONNXImportIssue.malformed("W and R must be (1, 4H, ·)")
        }
        let hidden = r.shape[2]
        guard hidden > 0, try node.int("hidden_size", default: hidden) == hidden, w.shape[1] == 4 * hidden, r.shape[1] == 4 * hidden else {
            throw ONNXImportIssue.malformed("W \(w.shape) and R \(r.shape) do not fit hidden size \(hidden)")
        }
        let inputSize = w.shape[2]
        var parameters = [
            ONNXStateEntry(role: "weight_ih_l0", value: Self.gatesReordered(w.floats, rows: [4 * hidden, inputSize]), preferredKey: nil),
            ONNXStateEntry(role: "weight_hh_l0", value: Self.gatesReordered(r.floats, rows: [4 * hidden, hidden]), preferredKey: nil),
        ]
        if let b = try constantInput(node, 3, role: "bias B") {
            guard b.count == 8 * hidden else { throw ONNXImportIssue.malformed("B \(b.shape) is not (1, 8H)") }
            let values = b.floats
            parameters.append(ONNXStateEntry(role: "bias_ih_l0", value: Self.gatesReordered(Array(values[..<(4 * hidden)]), rows: [4 * hidden]),
                                             preferredKey: nil))
            parameters.append(ONNXStateEntry(role: "bias_hh_l0", value: Self.gatesReordered(Array(values[(4 * hidden)...]), rows: [4 * hidden]),
                                             preferredKey: nil))
        }
        let sequence = batchFirst ? input : try addNode(available("\(node.name).batch_first"), Permute([1, 0, 2]), inputs: [input])
        let lstm = try addNode(node.name, LSTM(hiddenSize: hidden, bias: parameters.count == 4), inputs: [sequence], parameters: parameters)
        let steps = shape(lstm)[1]
        if let y = node.outputs.first, consumed.contains(y) {
            let timeFirst = batchFirst ? lstm : try addNode(available("\(node.name).time_first"), Permute([1, 0, 2]), inputs: [lstm])
            let target = batchFirst ? [0, steps, 1, hidden] : [steps, 1, -1, hidden]
            bind(y, to: .node(try addNode(available("\(node.name).Y"), Reshape(target), inputs: [timeFirst])))
        }
        if node.outputs.count > 1, consumed.contains(node.outputs[1]) {
            let last = try addNode(available("\(node.name).last_step"), Slice(axis: 1, start: -1), inputs: [lstm])
            let yH = batchFirst ? last : try addNode(available("\(node.name).Y_h"), Permute([1, 0, 2]), inputs: [last])
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
