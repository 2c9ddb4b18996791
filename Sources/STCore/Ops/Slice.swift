/// A strided slice along one axis, `x[..., start:end:step, ...]` (PyTorch indexing, ONNX `Slice`
/// with one axis and a positive step). Negative `start`/`end` count from the end of the axis, then
/// both are clamped to [0, size], so `end: Int.max` means "to the end". Selecting one position
/// (`x[:, -1]`) is a `Slice(axis: 1, start: -1)` followed by a `Reshape` that drops the axis.
///
///     y[…, j, …] = x[…, start + j·step, …],  j < ⌈(end − start)/step⌉
///     ∂L/∂x = g scattered into zeros at those positions
///
/// Shape errors: the axis is out of range, the step is not positive, or the slice is empty.
public struct Slice: Op {
    public let axis: Int
    public let start: Int
    public let end: Int
    public let step: Int

    public init(axis: Int, start: Int, end: Int = Int.max, step: Int = 1) {
        self.axis = axis
        self.start = start
        self.end = end
        self.step = step
    }

    public var typeName: String { "Slice" }

    public func outputShape(inputs: [[Int]], parameters: [[Int]]) throws -> [Int] {
        let range = try resolved(inputs[0])
        var shape = inputs[0]
        shape[range.axis] = range.count
        return shape
    }

    public func forward(_ inputs: [Tensor], parameters: [Tensor], context: inout ForwardContext) throws -> OpOutput {
        let range = try resolved(inputs[0].shape)
        guard step > 1 else { return OpOutput(try DNNL.slice(inputs[0], axis: range.axis, start: range.start, count: range.count)) }
        return OpOutput(AxisRows.gather(inputs[0], axis: range.axis, sources: positions(range)))
    }

    public func backward(_ gradOutput: Tensor, record: OpRecord, needInputs: [Bool],
                         context: BackwardContext) throws -> OpGradients {
        guard needInputs[0] else { return OpGradients(inputs: [nil]) }
        let range = try resolved(record.inputs[0].shape)
        return OpGradients(inputs: [AxisRows.scatterAdd(gradOutput, into: record.inputs[0].shape, axis: range.axis,
                                                        sources: positions(range))])
    }

    /// The normalised axis, the clamped first index and the number of selected positions.
    private func resolved(_ shape: [Int]) throws -> (axis: Int, start: Int, count: Int) {
        let axis = self.axis < 0 ? self.axis + shape.count : self.axis
        try ShapeCheck.require(axis >= 0 && axis < shape.count, "Slice axis \(self.axis) is out of range for \(shape)")
        try ShapeCheck.require(step >= 1, "Slice step \(step) must be positive")
        let size = shape[axis]
        func clamped(_ index: Int) -> Int { min(max(index < 0 ? index + size : index, 0), size) }
        let first = clamped(start), last = clamped(end)
        let count = last > first ? (last - first + step - 1) / step : 0
        try ShapeCheck.require(count > 0, "Slice \(start):\(end):\(step) of axis \(axis) selects nothing from \(shape)")
        return (axis, first, count)
    }

    /// The selected positions `start, start + step, …` along the axis.
    private func positions(_ range: (axis: Int, start: Int, count: Int)) -> [Int?] {
        (0..<range.count).map { range.start + $0 * step }
    }
}
