/// What `Pad` writes outside the input.
public enum PadMode: Hashable, Sendable {
    /// A constant value (`F.pad(mode="constant", value=v)`, ONNX `constant`).
    case constant(Float)
    /// The input mirrored at its edges without repeating the edge (`nn.ReflectionPad*`,
    /// ONNX `reflect`): `[a, b, c]` padded by 2 on both sides is `[c, b, a, b, c, b, a]`.
    case reflect
    /// The edge value repeated (`nn.ReplicationPad*`, ONNX `edge`): `[a, a, a, b, c, c, c]`.
    case edge
}

/// Padding of any axes by `begin[d]` positions before and `end[d]` after (both ≥ 0, one pair per
/// input axis, unequal allowed; `F.pad`, ONNX `Pad` with non-negative pads). Along an axis of
/// size n, output position j reads input position σ(j − begin):
///
///     σ(s) = s                     for 0 ≤ s < n, and outside [0, n):
///     constant(v): none, y = v;   reflect: σ(−k) = k, σ(n − 1 + k) = n − 1 − k;   edge: σ(s) = clamp(s, 0, n − 1)
///
/// The axes are padded one after another, so corners combine the modes' rules per axis.
/// Backward, the adjoint: ∂L/∂x[s] = Σ_{j : σ(j − begin) = s} g[j] — the interior of g for a
/// constant pad, and for reflect and edge every copied position's gradient added onto its source.
///
/// Shape errors: `begin` or `end` not one per axis, a negative amount, or a reflect pad that is
/// not smaller than its axis (there is nothing to mirror).
public struct Pad: Op {
    public let begin: [Int]
    public let end: [Int]
    public let mode: PadMode

    public init(begin: [Int], end: [Int], mode: PadMode = .constant(0)) {
        self.begin = begin
        self.end = end
        self.mode = mode
    }

    public var typeName: String { "Pad" }

    public func outputShape(inputs: [[Int]], parameters: [[Int]]) throws -> [Int] {
        let input = inputs[0]
        try ShapeCheck.require(begin.count == input.count && end.count == input.count,
                               "Pad begin \(begin) and end \(end) need one amount per axis of \(input)")
        try ShapeCheck.require((begin + end).allSatisfy { $0 >= 0 }, "Pad begin \(begin) and end \(end) must not be negative")
        if mode == .reflect {
            try ShapeCheck.require(input.indices.allSatisfy { begin[$0] < input[$0] && end[$0] < input[$0] },
                                   "reflect Pad begin \(begin) and end \(end) must be smaller than the axes of \(input)")
        }
        return input.indices.map { begin[$0] + input[$0] + end[$0] }
    }

    public func forward(_ inputs: [Tensor], parameters: [Tensor], context: inout ForwardContext) throws -> OpOutput {
        _ = try outputShape(inputs: [inputs[0].shape], parameters: [])
        var fill: Float = 0
        if case .constant(let value) = mode { fill = value }
        var result = inputs[0]
        for axis in paddedAxes {
            result = AxisRows.gather(result, axis: axis, sources: sources(axis: axis, size: inputs[0].shape[axis]), fill: fill)
        }
        return OpOutput(result)
    }

    public func backward(_ gradOutput: Tensor, record: OpRecord, needInputs: [Bool],
                         context: BackwardContext) throws -> OpGradients {
        guard needInputs[0] else { return OpGradients(inputs: [nil]) }
        let inputShape = record.inputs[0].shape
        var gradient = gradOutput
        for axis in paddedAxes.reversed() {
            var shape = gradient.shape
            shape[axis] = inputShape[axis]
            gradient = AxisRows.scatterAdd(gradient, into: shape, axis: axis, sources: sources(axis: axis, size: inputShape[axis]))
        }
        return OpGradients(inputs: [gradient])
    }

    /// The axes with some padding.
    private var paddedAxes: [Int] {
        begin.indices.filter { begin[$0] + end[$0] > 0 }
    }

    /// σ(j − begin) for every output position j of `axis` (input size `size`); nil for constants.
    private func sources(axis: Int, size: Int) -> [Int?] {
        (0..<(begin[axis] + size + end[axis])).map { position -> Int? in
            let s = position - begin[axis]
            if s >= 0 && s < size { return s }
            switch mode {
            case .constant: return nil
            case .reflect: return s < 0 ? -s : 2 * (size - 1) - s
            case .edge: return min(max(s, 0), size - 1)
            }
        }
    }
}
