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
        return OpOutput(Self.extract(inputs[0], axis: range.axis, start: range.start, count: range.count, step: step))
    }

    public func backward(_ gradOutput: Tensor, record: OpRecord, needInputs: [Bool],
                         context: BackwardContext) throws -> OpGradients {
        guard needInputs[0] else { return OpGradients(inputs: [nil]) }
        let range = try resolved(record.inputs[0].shape)
        return OpGradients(inputs: [Self.scatter(gradOutput, into: record.inputs[0].shape, axis: range.axis,
                                                 start: range.start, step: step)])
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

    /// Positions `start, start + step, …` (`count` of them) of `x` along `axis`; plain output.
    static func extract(_ x: Tensor, axis: Int, start: Int, count: Int, step: Int) -> Tensor {
        var shape = x.shape
        shape[axis] = count
        var result = Tensor(uninitialized: shape)
        let layout = RowLayout(x.shape, axis: axis)
        x.withUnsafeBufferPointer { source in
            result.withUnsafeMutableBufferPointer { target in
                layout.copyRows(count: count, from: source, to: target) { outer, j in
                    (from: layout.offset(outer, start + j * step), to: (outer * count + j) * layout.inner)
                }
            }
        }
        return result
    }

    /// Zeros of `shape` with `slice` written at positions `start, start + step, …` along `axis`;
    /// the adjoint of `extract`.
    static func scatter(_ slice: Tensor, into shape: [Int], axis: Int, start: Int, step: Int) -> Tensor {
        var result = Tensor(zeros: shape)
        let layout = RowLayout(shape, axis: axis), count = slice.shape[axis]
        slice.withUnsafeBufferPointer { source in
            result.withUnsafeMutableBufferPointer { target in
                layout.copyRows(count: count, from: source, to: target) { outer, j in
                    (from: (outer * count + j) * layout.inner, to: layout.offset(outer, start + j * step))
                }
            }
        }
        return result
    }

    /// A row-major shape seen as `outer × size × inner` around one axis: the rows of `inner`
    /// contiguous elements are what slicing along the axis moves.
    private struct RowLayout {
        let outer: Int, size: Int, inner: Int

        init(_ shape: [Int], axis: Int) {
            outer = shape[..<axis].reduce(1, *)
            size = shape[axis]
            inner = shape[(axis + 1)...].reduce(1, *)
        }

        /// Flat offset of row `index` (along the axis) of outer block `outer`.
        func offset(_ outer: Int, _ index: Int) -> Int { (outer * size + index) * inner }

        /// Copies `outer × count` rows, row (o, j) from `offsets(o, j).from` to `offsets(o, j).to`.
        func copyRows(count: Int, from source: UnsafeBufferPointer<Float>, to target: UnsafeMutableBufferPointer<Float>,
                      offsets: (Int, Int) -> (from: Int, to: Int)) {
            guard inner > 0, let sourceBase = source.baseAddress, let targetBase = target.baseAddress else { return }
            for o in 0..<outer {
                for j in 0..<count {
                    let (from, to) = offsets(o, j)
                    (targetBase + to).update(from: sourceBase + from, count: inner)
                }
            }
        }
    }
}
