/// Batch normalisation over axis 1 (PyTorch `BatchNorm1d/2d/3d`):
/// y = (x − μ)/√(σ² + ε) · γ + β, with the running statistics in inference and the batch's own in
/// training, where the running ones are updated as r ← (1 − m)·r + m·batch (variance unbiased).
public struct BatchNorm: Op {
    public let epsilon: Float
    public let momentum: Float

    public init(epsilon: Float = 1e-5, momentum: Float = 0.1) {
        self.epsilon = epsilon
        self.momentum = momentum
    }

    public var typeName: String { "BatchNorm" }

    public var backwardReadsSavedState: Bool { true }
    public var parameterRoles: [String] { ["weight", "bias"] }
    public var bufferRoles: [String] { ["running_mean", "running_var"] }

    public func outputShape(inputs: [[Int]], parameters: [[Int]]) throws -> [Int] {
        let input = inputs[0]
        try ShapeCheck.require(input.count >= 2, "batch norm needs a channel axis, got \(input)")
        for shape in parameters {
            try ShapeCheck.require(shape == [input[1]], "batch norm state \(shape) for \(input[1]) channels")
        }
        return input
    }

    /// Statistics the backward pass differentiates through (training) or treats as constants.
    struct Statistics: Sendable {
        let mean: Tensor
        let variance: Tensor
        let global: Bool
    }

    public func forward(_ inputs: [Tensor], parameters: [Tensor], context: inout ForwardContext) throws -> OpOutput {
        let x = inputs[0]
        let (scale, shift, runningMean, runningVariance) = (parameters[0], parameters[1], parameters[2], parameters[3])
        guard context.training else {
            let y = try DNNL.batchNormInference(x, mean: runningMean, variance: runningVariance,
                                                scale: scale, shift: shift, epsilon: epsilon)
            return OpOutput(y, saved: Statistics(mean: runningMean, variance: runningVariance, global: true))
        }
        let (y, mean, variance) = try DNNL.batchNormTraining(x, scale: scale, shift: shift, epsilon: epsilon)
        let samples = Float(x.count / x.shape[1])
        let unbiased = samples > 1 ? samples / (samples - 1) : 1
        let newMean = zip(runningMean.scalars, mean.scalars).map { (1 - momentum) * $0 + momentum * $1 }
        let newVariance = zip(runningVariance.scalars, variance.scalars).map {
            (1 - momentum) * $0 + momentum * $1 * unbiased
        }
        return OpOutput(y, saved: Statistics(mean: mean, variance: variance, global: false),
                        updatedBuffers: [Tensor(shape: runningMean.shape, scalars: newMean),
                                         Tensor(shape: runningVariance.shape, scalars: newVariance)])
    }

    public func backward(_ gradOutput: Tensor, record: OpRecord, needInputs: [Bool],
                         context: BackwardContext) throws -> OpGradients {
        let statistics = record.saved as! Statistics
        let result = try DNNL.batchNormBackward(gradOutput, input: record.inputs[0], mean: statistics.mean,
                                                variance: statistics.variance, scale: record.parameters[0],
                                                shift: record.parameters[1],
                                                epsilon: epsilon, globalStatistics: statistics.global)
        return OpGradients(inputs: [needInputs[0] ? result.input : nil],
                           parameters: context.parameterGradients ? [result.scale, result.shift] : [])
    }
}

extension BatchNorm {
    /// The weight and bias of a convolution or linear layer followed by this batch norm (in
    /// inference), as one layer: with s_o = γ_o / √(σ²_o + ε),
    ///
    ///     W′[o, …] = s_o · W[o, …],    b′_o = (b_o − μ_o) · s_o + β_o
    ///
    /// so that W′x + b′ = BN(Wx + b) exactly up to rounding. Folds are cached by the identity and
    /// version of the six tensors, so every pass that folds the same layer (inference, LRP) shares
    /// one folded tensor and the kernels' reordered copies of it.
    public func fold(weight: Tensor, bias: Tensor?, scale gamma: Tensor, shift beta: Tensor, mean: Tensor,
                     variance: Tensor) -> (weight: Tensor, bias: Tensor) {
        FoldedWeightCache.shared.folded(sources: [weight] + (bias.map { [$0] } ?? []) + [gamma, beta, mean, variance]) {
            computeFold(weight: weight, bias: bias, scale: gamma, shift: beta, mean: mean, variance: variance)
        }
    }

    private func computeFold(weight: Tensor, bias: Tensor?, scale gamma: Tensor, shift beta: Tensor, mean: Tensor,
                             variance: Tensor) -> (weight: Tensor, bias: Tensor) {
        let (gamma, beta, mean, variance) = (gamma.scalars, beta.scalars, mean.scalars, variance.scalars)
        let outputs = weight.shape[0]
        let perOutput = weight.count / outputs
        let scale = (0..<outputs).map { gamma[$0] / (variance[$0] + epsilon).squareRoot() }
        var folded = weight.plain()
        folded.withUnsafeMutableBufferPointer { values in
            for output in 0..<outputs {
                for index in output * perOutput..<(output + 1) * perOutput { values[index] *= scale[output] }
            }
        }
        let originalBias = bias?.scalars ?? Array(repeating: 0, count: outputs)
        let foldedBias = (0..<outputs).map { (originalBias[$0] - mean[$0]) * scale[$0] + beta[$0] }
        return (folded, Tensor(shape: [outputs], scalars: foldedBias))
    }
}
