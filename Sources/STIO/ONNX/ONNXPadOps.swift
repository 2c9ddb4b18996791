import STCore

/// ONNX `Pad`, and the padding of convolution and pooling windows: what the engine's symmetric
/// window padding cannot express becomes a `Pad` node in front of the window op.
extension ONNXGraphConverter {
    /// Pads beyond this are refused as malformed: no real model pads an axis by more, and sizes
    /// computed from larger ones could overflow.
    static let largestPad = 1 << 16

    /// Throws `malformed` when a pad exceeds `largestPad`.
    static func requireWithinLargestPad(_ pads: [Int]) throws {
        guard pads.allSatisfy({ $0 <= largestPad }) else { throw ONNXImportIssue.malformed("pads \(pads) above \(largestPad)") }
    }

    /// `Pad` (modes constant, reflect, edge; the `pads`, `constant_value` and `axes` inputs as
    /// constants): nothing when every pad is 0.
    /// Zero padding of the spatial axes stays pending (`.zeroPadded`) for a following `Conv` or
    /// `AveragePool` to absorb; any other reader, or the graph output, gets the `Pad` node
    /// `<name>` then. Every other padding is that `Pad` node at once. Negative pads (cropping)
    /// and `wrap` are unsupported, and pads above `largestPad` malformed.
    mutating func convertPad(_ node: ONNXNode) throws {
        let input = try tensorInput(node, 0)
        let rank = shape(input).count
        guard var pads = try integersInput(node, 1, role: "pads") else { throw ONNXImportIssue.malformed("pads are missing") }
        let value = try constantInput(node, 2, role: "padding value")?.floats.first ?? 0
        if let axes = try integersInput(node, 3, role: "axes") {
            guard pads.count == 2 * axes.count else { throw ONNXImportIssue.malformed("pads \(pads) for axes \(axes)") }
            let listed = pads
            pads = Array(repeating: 0, count: 2 * rank)
            for (position, axis) in axes.enumerated() {
                let axis = axis < 0 ? axis + rank : axis
                guard axis >= 0 && axis < rank else { throw ONNXImportIssue.malformed("Pad axis \(axis) for rank \(rank)") }
                (pads[axis], pads[rank + axis]) = (listed[position], listed[axes.count + position])
            }
        }
        guard pads.count == 2 * rank else { throw ONNXImportIssue.malformed("pads \(pads) for a rank-\(rank) input") }
        guard pads.allSatisfy({ $0 >= 0 }) else { throw ONNXImportIssue.unsupported("negative pads \(pads) (cropping)") }
        try Self.requireWithinLargestPad(pads)
        if pads.allSatisfy({ $0 == 0 }) {
            bind(node.outputs[0], to: .node(input))
            return
        }
        let mode: PadMode
        switch try node.string("mode") ?? "constant" {
        case "constant": mode = .constant(value)
        case "reflect": mode = .reflect
        case "edge": mode = .edge
        case let other: throw ONNXImportIssue.unsupported("mode '\(other)'")
        }
        if mode == .constant(0), rank > 2, [0, 1, rank, rank + 1].allSatisfy({ pads[$0] == 0 }) {
            bind(node.outputs[0], to: .zeroPadded(source: input, pads: pads, padNode: node.name))
            return
        }
        let op = Pad(begin: Array(pads[..<rank]), end: Array(pads[rank...]), mode: mode)
        bind(node.outputs[0], to: .node(try addNode(node.name, op, inputs: [input])))
    }

    /// The `Pad` node of a pending zero padding bound to `valueName`, named after the ONNX `Pad`
    /// node; the value is rebound to it, so later readers share it.
    mutating func materializedPad(_ valueName: String, source: String, pads: [Int], padNode: String) throws -> String {
        let rank = pads.count / 2
        let pad = try addNode(available(padNode), Pad(begin: Array(pads[..<rank]), end: Array(pads[rank...])), inputs: [source])
        bind(valueName, to: .node(pad))
        return pad
    }

    /// A convolution or pooling input, with the spatial zero padding of a `Pad` it absorbs.
    struct PaddedInput {
        var input: String
        var begin: [Int] = []
        var end: [Int] = []
        var padNode: String?

        var absorbsPad: Bool { padNode != nil }
    }

    /// Input 0, looking through a pending zero `Pad`.
    mutating func paddedInput(_ node: ONNXNode) throws -> PaddedInput {
        guard let name = node.input(0), case .zeroPadded(let source, let pads, let padNode)? = values[name] else {
            return PaddedInput(input: try tensorInput(node, 0))
        }
        let rank = pads.count / 2
        return PaddedInput(input: source, begin: Array(pads[2..<rank]), end: Array(pads[(rank + 2)...]), padNode: padNode)
    }

    /// The window's own padding per spatial axis, from `pads` or `auto_pad` (SAME_UPPER puts the
    /// odd position at the end, SAME_LOWER at the beginning), for an input whose spatial sizes
    /// are `padded`'s plus what it absorbs.
    func windowPadding(_ node: ONNXNode, padded: PaddedInput, kernel: [Int], strides: [Int],
                       dilations: [Int]) throws -> (begin: [Int], end: [Int]) {
        let spatial = kernel.count
        guard strides.count == spatial, dilations.count == spatial, shape(padded.input).count == spatial + 2 else {
            throw ONNXImportIssue.malformed("kernel \(kernel), strides \(strides) and dilations \(dilations) do not fit input \(shape(padded.input))")
        }
        guard (kernel + strides + dilations).allSatisfy({ $0 >= 1 }) else {
            throw ONNXImportIssue.malformed("kernel \(kernel), strides \(strides) and dilations \(dilations) must be positive")
        }
        let inputSizes = (0..<spatial).map { axis in
            shape(padded.input)[axis + 2] + (padded.absorbsPad ? padded.begin[axis] + padded.end[axis] : 0)
        }
        var begin = Array(repeating: 0, count: spatial), end = begin
        switch try node.string("auto_pad") ?? "NOTSET" {
        case "NOTSET":
            if let pads = try node.ints("pads") {
                guard pads.count == 2 * spatial else { throw ONNXImportIssue.malformed("pads \(pads) for \(spatial) spatial axes") }
                guard pads.allSatisfy({ $0 >= 0 }) else { throw ONNXImportIssue.malformed("negative pads \(pads)") }
                try Self.requireWithinLargestPad(pads)
                (begin, end) = (Array(pads[..<spatial]), Array(pads[spatial...]))
            }
        case "VALID":
            break
        case let mode where mode == "SAME_UPPER" || mode == "SAME_LOWER":
            for axis in 0..<spatial {
                let output = (inputSizes[axis] + strides[axis] - 1) / strides[axis]
                let total = max(0, (output - 1) * strides[axis] + (kernel[axis] - 1) * dilations[axis] + 1 - inputSizes[axis])
                begin[axis] = mode == "SAME_UPPER" ? total / 2 : total - total / 2
                end[axis] = total - begin[axis]
            }
        case let mode:
            throw ONNXImportIssue.malformed("auto_pad '\(mode)'")
        }
        return (begin, end)
    }

    /// Splits a window's padding into what the engine's window op pads itself — per axis
    /// min(begin, end), at most `limit` — and the rest, which the `Pad` node `<name>.pad` writes
    /// with `value` in front of it. Returns the window op's input (`source` when nothing is left
    /// over) and its symmetric padding.
    mutating func symmetricWindowInput(_ node: ONNXNode, source: String, begin: [Int], end: [Int], limit: [Int]? = nil,
                                       value: Float = 0) throws -> (input: String, padding: [Int]) {
        let symmetric = begin.indices.map { min(begin[$0], end[$0], limit?[$0] ?? Int.max) }
        guard begin != symmetric || end != symmetric else { return (source, symmetric) }
        let rest = Pad(begin: [0, 0] + zip(begin, symmetric).map(-), end: [0, 0] + zip(end, symmetric).map(-),
                       mode: .constant(value))
        return (try addNode(available("\(node.name).pad"), rest, inputs: [source]), symmetric)
    }
}
