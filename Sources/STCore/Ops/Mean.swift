/// Mean over axes (`x.mean(dim: axes, keepdim: keepDims)`, ONNX `ReduceMean`); negative axes
/// count from the end and an empty list means every axis. With `keepDims` the reduced axes stay
/// with size 1, otherwise they are removed.
///
///     y[k] = (1/n) Σ_{reduced axes} x,  n = Π_{a ∈ axes} x.shape[a]
///     ∂L/∂x = g broadcast over the reduced axes, divided by n
///
/// Shape errors: an axis out of range or listed twice.
public struct Mean: Op {
    public let axes: [Int]
    public let keepDims: Bool

    public init(axes: [Int], keepDims: Bool = false) {
        self.axes = axes
        self.keepDims = keepDims
    }

    public var typeName: String { "Mean" }

    public func outputShape(inputs: [[Int]], parameters: [[Int]]) throws -> [Int] {
        let input = inputs[0]
        let reduced = try reducedAxes(rank: input.count)
        return keepDims ? keptShape(input, reduced) : input.indices.filter { !reduced.contains($0) }.map { input[$0] }
    }

    public func forward(_ inputs: [Tensor], parameters: [Tensor], context: inout ForwardContext) throws -> OpOutput {
        let x = inputs[0]
        let shape = try outputShape(inputs: [x.shape], parameters: [])
        let mean = try DNNL.reduce(x, to: keptShape(x.shape, try reducedAxes(rank: x.rank)), mean: true)
        return OpOutput(mean.reshaped(shape))
    }

    public func backward(_ gradOutput: Tensor, record: OpRecord, needInputs: [Bool],
                         context: BackwardContext) throws -> OpGradients {
        guard needInputs[0] else { return OpGradients(inputs: [nil]) }
        let inputShape = record.inputs[0].shape
        let kept = keptShape(inputShape, try reducedAxes(rank: inputShape.count))
        let gradient = gradOutput.reshaped(kept)
        if kept == inputShape { return OpGradients(inputs: [gradient]) }
        let reciprocalCount = Float(kept.reduce(1, *)) / Float(inputShape.reduce(1, *))
        return OpGradients(inputs: [try DNNL.binary(Tensor(repeating: reciprocalCount, shape: inputShape), gradient, .mul)])
    }

    /// The normalised axes to reduce (all of them when `axes` is empty).
    private func reducedAxes(rank: Int) throws -> Set<Int> {
        if axes.isEmpty { return Set(0..<rank) }
        let normalized = axes.map { $0 < 0 ? $0 + rank : $0 }
        try ShapeCheck.require(normalized.allSatisfy { $0 >= 0 && $0 < rank } && Set(normalized).count == normalized.count,
                               "Mean over axes \(axes) of a rank-\(rank) input")
        return Set(normalized)
    }

    /// `shape` with the reduced axes set to 1.
    private func keptShape(_ shape: [Int], _ reduced: Set<Int>) -> [Int] {
        shape.indices.map { reduced.contains($0) ? 1 : shape[$0] }
    }
}
