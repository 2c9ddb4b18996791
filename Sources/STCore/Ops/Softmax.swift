/// Softmax or log-softmax along one axis (PyTorch `nn.Softmax(dim)` / `nn.LogSoftmax(dim)`);
/// negative axes count from the end.
///
/// softmax:     y_j = e^(x_j) / Σ_l e^(x_l)            backward ∂L/∂x_j = y_j · (g_j − Σ_l g_l·y_l)
/// log-softmax: y_j = x_j − log Σ_l e^(x_l)            backward ∂L/∂x_j = g_j − e^(y_j) · Σ_l g_l
public struct Softmax: Op {
    public let axis: Int
    /// Log-softmax instead of softmax.
    public let log: Bool

    public init(axis: Int, log: Bool = false) {
        self.axis = axis
        self.log = log
    }

    public var typeName: String { log ? "LogSoftmax" : "Softmax" }

    public func outputShape(inputs: [[Int]], parameters: [[Int]]) throws -> [Int] {
        let rank = inputs[0].count
        try ShapeCheck.require(-rank <= axis && axis < rank, "\(typeName) axis \(axis) for input \(inputs[0])")
        return inputs[0]
    }

    public func forward(_ inputs: [Tensor], parameters: [Tensor], context: inout ForwardContext) throws -> OpOutput {
        OpOutput(try DNNL.softmaxForward(inputs[0], axis: resolvedAxis(rank: inputs[0].rank), log: log))
    }

    public func backward(_ gradOutput: Tensor, record: OpRecord, needInputs: [Bool],
                         context: BackwardContext) throws -> OpGradients {
        OpGradients(inputs: [try DNNL.softmaxBackward(gradOutput, output: record.output,
                                                      axis: resolvedAxis(rank: record.output.rank), log: log)])
    }

    /// `axis` counted from the front.
    private func resolvedAxis(rank: Int) -> Int {
        axis < 0 ? axis + rank : axis
    }
}
