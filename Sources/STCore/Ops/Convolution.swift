/// N-d convolution (PyTorch `Conv1d`/`Conv2d`/`Conv3d`): input `N × C × spatial…`, weight
/// `O × C/groups × k…`, optional bias `O`.
///
/// y[n, o, p] = b[o] + Σ_{c ∈ group(o), q} w[o, c, q] · x[n, c, s·p + d·q − pad]
public struct Convolution: Op {
    public let geometry: ConvolutionGeometry
    public let hasBias: Bool

    public init(geometry: ConvolutionGeometry, bias: Bool) {
        self.geometry = geometry
        hasBias = bias
    }

    public var typeName: String { "Conv\(geometry.stride.count)d" }
    public var parameterRoles: [String] { hasBias ? ["weight", "bias"] : ["weight"] }

    public func outputShape(inputs: [[Int]], parameters: [[Int]]) throws -> [Int] {
        let input = inputs[0], weight = parameters[0]
        let spatial = geometry.stride.count
        try ShapeCheck.require(input.count == spatial + 2,
                               "\(typeName) expects a rank-\(spatial + 2) input, got \(input)")
        try ShapeCheck.require(weight.count == spatial + 2 && weight[0] % geometry.groups == 0,
                               "\(typeName) weight \(weight) does not fit \(geometry.groups) groups")
        try ShapeCheck.require(input[1] == weight[1] * geometry.groups,
                               "\(typeName) expects \(weight[1] * geometry.groups) input channels, got \(input[1]) (input \(input))")
        if hasBias {
            try ShapeCheck.require(parameters[1] == [weight[0]], "bias \(parameters[1]) for \(weight[0]) output channels")
        }
        let output = geometry.outputSpatial(input: Array(input.dropFirst(2)), kernel: Array(weight.dropFirst(2)))
        try ShapeCheck.require(output.allSatisfy { $0 > 0 }, "input \(input) is smaller than the kernel \(weight)")
        return [input[0], weight[0]] + output
    }

    public func forward(_ inputs: [Tensor], parameters: [Tensor], context: inout ForwardContext) throws -> OpOutput {
        let shape = try outputShape(inputs: [inputs[0].shape], parameters: parameters.map(\.shape))
        return OpOutput(try DNNL.convolutionForward(inputs[0], weight: parameters[0],
                                                    bias: hasBias ? parameters[1] : nil,
                                                    geometry: geometry, outputShape: shape))
    }

    public func backward(_ gradOutput: Tensor, record: OpRecord, needInputs: [Bool],
                         context: BackwardContext) throws -> OpGradients {
        let input = record.inputs[0], weight = record.parameters[0]
        let gradInput = needInputs[0]
            ? try DNNL.convolutionBackwardData(gradOutput, weight: weight, inputShape: input.shape, geometry: geometry)
            : nil
        guard context.parameterGradients else { return OpGradients(inputs: [gradInput]) }
        let gradients = try DNNL.convolutionBackwardWeights(input, gradOutput: gradOutput, weightShape: weight.shape,
                                                            geometry: geometry, bias: hasBias)
        return OpGradients(inputs: [gradInput], parameters: hasBias ? [gradients.weight, gradients.bias] : [gradients.weight])
    }

    /// Output elements × (C/groups) × kernel volume.
    public func multiplyAdds(inputs: [[Int]], parameters: [[Int]], output: [Int]) -> Int {
        output.reduce(1, *) * parameters[0].dropFirst().reduce(1, *)
    }
}
