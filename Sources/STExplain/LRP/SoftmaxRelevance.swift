import STCore

/// AttnLRP's softmax rule (Achtibat et al. 2024, Proposition 3.1): the deep Taylor decomposition
/// of s = softmax(x) along its axis at x itself (bias included) gives each input
///
///     R_x,i = x_i · (R_i − s_i · Σ_j R_j)
///
/// over the axis (R the relevance of the output). What it does not pass on is the bias term of
/// the expansion; it does not conserve in general. Inputs of −∞ (masked attention scores) count
/// as 0, as in LXT.
struct SoftmaxRelevance: LRPLayerRule {
    func inputRelevance(_ step: LRPStep) throws -> [Tensor?] {
        let softmax = try step.op(as: Softmax.self)
        guard !softmax.log else {
            throw STError.unsupported(op: "AttnLRP through LogSoftmax (node '\(step.node.name)')")
        }
        let output = try step.record().output
        let axis = softmax.axis < 0 ? softmax.axis + output.rank : softmax.axis
        return [Self.inputRelevance(input: step.inputs[0], output: output, relevance: step.relevance, axis: axis)]
    }

    /// R_x = x ⊙ (R − s ⊙ Σ_axis R) for softmax output `output` (s) of `input` (x).
    static func inputRelevance(input: Tensor, output: Tensor, relevance: Tensor, axis: Int) -> Tensor {
        let (x, s, r) = (input.plain().scalars, output.plain().scalars, relevance.plain().scalars)
        let width = input.shape[axis]
        let inner = input.shape[(axis + 1)...].reduce(1, *)
        var shares = [Float](repeating: 0, count: x.count)
        for outer in 0..<(x.count / (width * inner)) {
            for position in 0..<inner {
                let base = outer * width * inner + position
                var total: Float = 0
                for j in 0..<width { total += r[base + j * inner] }
                for j in 0..<width {
                    let index = base + j * inner
                    let value = x[index].isFinite ? x[index] : 0
                    shares[index] = value * (r[index] - s[index] * total)
                }
            }
        }
        return Tensor(shape: input.shape, scalars: shares)
    }
}
