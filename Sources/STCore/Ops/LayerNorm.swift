/// Layer normalisation over the trailing axes from `axis` on (PyTorch `nn.LayerNorm`, ONNX
/// `LayerNormalization`): with μ and the biased σ² of x over those axes, for every leading index,
///
///     y = (x − μ)/√(σ² + ε) ⊙ weight + bias
///
/// where `weight` and `bias` have the shape of the trailing axes. Backward (x̂ = (x − μ)/√(σ² + ε),
/// ĝ = g ⊙ weight, means over the trailing axes, sums over the leading ones):
///
///     ∂L/∂x = (ĝ − mean(ĝ) − x̂ ⊙ mean(ĝ ⊙ x̂)) / √(σ² + ε),   ∂L/∂weight = Σ g ⊙ x̂,   ∂L/∂bias = Σ g
///
/// Runs as oneDNN's layer norm over the input flattened to (leading product, trailing product).
public struct LayerNorm: Op {
    /// The first normalised axis; negative counts from the end.
    public let axis: Int
    public let epsilon: Float

    public init(axis: Int, epsilon: Float) {
        self.axis = axis
        self.epsilon = epsilon
    }

    public var typeName: String { "LayerNorm" }

    public var backwardReadsSavedState: Bool { true }
    public var parameterRoles: [String] { ["weight", "bias"] }

    public func outputShape(inputs: [[Int]], parameters: [[Int]]) throws -> [Int] {
        let input = inputs[0]
        let rank = input.count
        try ShapeCheck.require(-rank <= axis && axis < rank, "layer norm axis \(axis) for input \(input)")
        let normalised = Array(input[resolvedAxis(rank: rank)...])
        try ShapeCheck.require(parameters.count == 2, "layer norm needs a weight and a bias, got \(parameters.count) tensors")
        for shape in parameters {
            try ShapeCheck.require(shape == normalised, "layer norm parameter \(shape) for normalised shape \(normalised)")
        }
        return input
    }

    public func multiplyAdds(inputs: [[Int]], parameters: [[Int]], output: [Int]) -> Int {
        // Mean, variance, normalisation and the affine map: four per element.
        4 * output.reduce(1, *)
    }

    /// The rows' mean and biased variance, from a training forward pass or the backward pass.
    struct Statistics: Sendable {
        let mean: Tensor
        let variance: Tensor
    }

    public func forward(_ inputs: [Tensor], parameters: [Tensor], context: inout ForwardContext) throws -> OpOutput {
        let x = inputs[0]
        let (scale, shift) = (parameters[0], parameters[1])
        guard context.training else {
            return OpOutput(try DNNL.layerNormInference(rows(x), scale: scale, shift: shift, epsilon: epsilon).reshaped(x.shape))
        }
        let (y, mean, variance) = try DNNL.layerNormTraining(rows(x), scale: scale, shift: shift, epsilon: epsilon)
        return OpOutput(y.reshaped(x.shape), saved: Statistics(mean: mean, variance: variance))
    }

    /// Reads the statistics a training forward pass saved, or computes them (after inference).
    public func backward(_ gradOutput: Tensor, record: OpRecord, needInputs: [Bool],
                         context: BackwardContext) throws -> OpGradients {
        let x = rows(record.inputs[0])
        let (scale, shift) = (record.parameters[0], record.parameters[1])
        let statistics = try record.saved as? Statistics ?? self.statistics(of: x, scale: scale, shift: shift)
        let result = try DNNL.layerNormBackward(gradOutput.reshaped(x.shape), input: x, mean: statistics.mean,
                                                variance: statistics.variance, scale: scale, shift: shift, epsilon: epsilon)
        return OpGradients(inputs: [needInputs[0] ? result.input.reshaped(record.inputs[0].shape) : nil],
                           parameters: context.parameterGradients
                               ? [result.scale.reshaped(scale.shape), result.shift.reshaped(shift.shape)] : [])
    }

    private func statistics(of rows: Tensor, scale: Tensor, shift: Tensor) throws -> Statistics {
        let (_, mean, variance) = try DNNL.layerNormTraining(rows, scale: scale, shift: shift, epsilon: epsilon)
        return Statistics(mean: mean, variance: variance)
    }

    /// `x` as a plain (leading product, trailing product) matrix.
    private func rows(_ x: Tensor) -> Tensor {
        let first = resolvedAxis(rank: x.rank)
        return x.reshaped([x.shape[..<first].reduce(1, *), x.shape[first...].reduce(1, *)])
    }

    /// `axis` counted from the front.
    private func resolvedAxis(rank: Int) -> Int {
        axis < 0 ? axis + rank : axis
    }
}
