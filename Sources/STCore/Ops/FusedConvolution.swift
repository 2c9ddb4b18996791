import Foundation

/// Convolution → batch norm → (+ residual) → ReLU as one oneDNN call: batch norm is folded into
/// the weights, w′[o] = w[o]·γ[o]/√(σ²[o] + ε) and b′[o] = (b[o] − μ[o])·γ[o]/√(σ²[o] + ε) + β[o]
/// (exactly the inference forward), the residual add and the ReLU are post-ops.
///
/// Only the planner creates it, in inference, for chains whose intermediate outputs nobody
/// observes. Its backward pass is the chain's: g′ = ReLU-backward(g) (in the requested mode),
/// ∂L/∂residual = g′, ∂L/∂x = convolution-backward-data(g′, w′).
struct FusedConvolution: Op {
    let geometry: ConvolutionGeometry
    let hasBias: Bool
    let batchNorm: BatchNorm?
    let hasResidual: Bool
    let relu: Bool

    var typeName: String { "FusedConv\(geometry.stride.count)d" }

    /// Builds the fused step that starts at a convolution node, following sole consumers; nil
    /// when nothing can be fused onto it. A residual add is taken in only when its other operand
    /// is computed before the convolution, so that two chains never claim the same add.
    static func step(startingAt node: Node, conv: Convolution, graph: Graph, next: (String) -> Node?) -> Step? {
        let start = graph.indexByName[node.name]!
        func precedesStart(_ name: String) -> Bool { graph.indexByName[name].map { $0 < start } ?? true }
        var nodes = [node.name]
        var inputs = node.inputs
        var stateKeys = node.parameterKeys
        var batchNorm: BatchNorm?
        var hasResidual = false
        var relu = false
        var tail = node.name
        if let consumer = next(tail), let norm = consumer.op as? BatchNorm {
            batchNorm = norm
            stateKeys += consumer.stateKeys
            nodes.append(consumer.name)
            tail = consumer.name
        }
        if let consumer = next(tail), consumer.op is Add, consumer.inputs.count == 2,
           consumer.inputs[0] != consumer.inputs[1],
           case let residual = consumer.inputs[0] == tail ? consumer.inputs[1] : consumer.inputs[0],
           precedesStart(residual) {
            inputs.append(residual)
            hasResidual = true
            nodes.append(consumer.name)
            tail = consumer.name
        }
        if let consumer = next(tail), consumer.op is ReLU {
            relu = true
            nodes.append(consumer.name)
            tail = consumer.name
        }
        guard nodes.count > 1 else { return nil }
        let op = FusedConvolution(geometry: conv.geometry, hasBias: conv.hasBias, batchNorm: batchNorm,
                                  hasResidual: hasResidual, relu: relu)
        return Step(name: tail, op: op, inputs: inputs, stateKeys: stateKeys, parameterCount: stateKeys.count,
                    nodes: nodes)
    }

    private var convolution: Convolution { Convolution(geometry: geometry, bias: hasBias) }

    func outputShape(inputs: [[Int]], parameters: [[Int]]) throws -> [Int] {
        let convParameters = Array(parameters.prefix(hasBias ? 2 : 1))
        let output = try convolution.outputShape(inputs: [inputs[0]], parameters: convParameters)
        if hasResidual, Broadcast.shape(output, inputs[1]) != output {
            throw ShapeCheck.fail("residual \(inputs[1]) does not fit the convolution output \(output)")
        }
        return output
    }

    func forward(_ inputs: [Tensor], parameters: [Tensor], context: inout ForwardContext) throws -> OpOutput {
        let (weight, bias) = try foldedWeights(parameters)
        let shape = try outputShape(inputs: inputs.map(\.shape), parameters: parameters.map(\.shape))
        var postOps = DNNL.PostOps()
        postOps.relu = relu
        if hasResidual, inputs[1].shape == shape {
            postOps.residual = inputs[1]
            return OpOutput(try DNNL.convolutionForward(inputs[0], weight: weight, bias: bias, geometry: geometry,
                                                        outputShape: shape, postOps: postOps))
        }
        postOps.relu = relu && !hasResidual
        var y = try DNNL.convolutionForward(inputs[0], weight: weight, bias: bias, geometry: geometry,
                                            outputShape: shape, postOps: postOps)
        if hasResidual {
            y = try Broadcast.apply(y, inputs[1], .add)
            if relu { y = try DNNL.eltwiseForward(y, .relu) }
        }
        return OpOutput(y)
    }

    func backward(_ gradOutput: Tensor, record: OpRecord, needInputs: [Bool],
                  context: BackwardContext) throws -> OpGradients {
        let gradient = relu ? try ReLU.backward(gradOutput, output: record.output, mode: context.reluMode) : gradOutput
        let (weight, _) = try foldedWeights(record.parameters)
        let gradInput = needInputs[0]
            ? try DNNL.convolutionBackwardData(gradient, weight: weight, inputShape: record.inputs[0].shape,
                                               geometry: geometry)
            : nil
        guard hasResidual else { return OpGradients(inputs: [gradInput]) }
        let gradResidual = needInputs[1] ? try Broadcast.reduce(gradient, to: record.inputs[1].shape) : nil
        return OpGradients(inputs: [gradInput, gradResidual])
    }

    func multiplyAdds(inputs: [[Int]], parameters: [[Int]], output: [Int]) -> Int {
        convolution.multiplyAdds(inputs: inputs, parameters: parameters, output: output)
    }

    /// The weights with batch norm folded in (cached by `BatchNorm.fold`).
    private func foldedWeights(_ parameters: [Tensor]) throws -> (weight: Tensor, bias: Tensor?) {
        let weight = parameters[0]
        let bias = hasBias ? parameters[1] : nil
        guard let batchNorm else { return (weight, bias) }
        let norm = Array(parameters.suffix(4))
        let folded = batchNorm.fold(weight: weight, bias: bias, scale: norm[0], shift: norm[1], mean: norm[2], variance: norm[3])
        return (folded.weight, folded.bias)
    }
}
