import Foundation
@testable import STCore

extension Reference {
    /// `torch.nn.LSTM(batch_first: true, num_layers: L)` with zero initial state. `x` is
    /// `(N, T, in)`; for layer `l`, `weightsIH[l]` is `(4H, in_l)` (`in_0 = in`, `in_l = H`
    /// above), `weightsHH[l]` is `(4H, H)`, `biasesIH[l]`/`biasesHH[l]` are `(4H)` (pass empty
    /// bias arrays for `bias: false`). Rows are in PyTorch's gate order i, f, g, o. Per layer and
    /// step, with `x_t` the layer input (the previous layer's `h_t` above layer 0):
    ///
    ///     z   = W_ih·x_t + b_ih + W_hh·h_{t−1} + b_hh            (4H)
    ///     i   = σ(z[0..<H]),  f = σ(z[H..<2H]),  g = tanh(z[2H..<3H]),  o = σ(z[3H..<4H])
    ///     c_t = f ⊙ c_{t−1} + i ⊙ g
    ///     h_t = o ⊙ tanh(c_t)
    ///
    /// Returns the last layer's `h_t` for every step `(N, T, H)`, and the final `h_T` and `c_T`
    /// of every layer, `(L, N, H)` each.
    static func lstm(
        _ x: Tensor, weightsIH: [Tensor], weightsHH: [Tensor], biasesIH: [Tensor], biasesHH: [Tensor]
    ) -> (output: Tensor, hidden: Tensor, cell: Tensor) {
        precondition(x.rank == 3, "LSTM input \(x.shape) is not (N, T, in)")
        let layers = weightsIH.count
        precondition(layers >= 1 && weightsHH.count == layers, "\(weightsIH.count) input and \(weightsHH.count) hidden weights")
        precondition(biasesIH.isEmpty || biasesIH.count == layers, "\(biasesIH.count) input biases for \(layers) layers")
        precondition(biasesHH.isEmpty || biasesHH.count == layers, "\(biasesHH.count) hidden biases for \(layers) layers")
        let batch = x.shape[0], steps = x.shape[1]
        let hiddenSize = weightsHH[0].shape[1]

        func sigmoid(_ v: Double) -> Double { 1 / (1 + Foundation.exp(-v)) }

        // sequence[n][t] = the current layer's input vector at step t of sample n.
        let xs = x.scalars
        let features = x.shape[2]
        var sequence: [[[Double]]] = (0..<batch).map { n in
            (0..<steps).map { t in (0..<features).map { Double(xs[(n * steps + t) * features + $0]) } }
        }
        var finalHidden = [Float](), finalCell = [Float]()

        for l in 0..<layers {
            let inputSize = l == 0 ? features : hiddenSize
            precondition(weightsIH[l].shape == [4 * hiddenSize, inputSize], "weightsIH[\(l)] \(weightsIH[l].shape), expected \([4 * hiddenSize, inputSize])")
            precondition(weightsHH[l].shape == [4 * hiddenSize, hiddenSize], "weightsHH[\(l)] \(weightsHH[l].shape), expected \([4 * hiddenSize, hiddenSize])")
            let wIH = weightsIH[l].scalars, wHH = weightsHH[l].scalars
            let bIH = biasesIH.isEmpty ? [Float](repeating: 0, count: 4 * hiddenSize) : biasesIH[l].scalars
            let bHH = biasesHH.isEmpty ? [Float](repeating: 0, count: 4 * hiddenSize) : biasesHH[l].scalars
            precondition(bIH.count == 4 * hiddenSize && bHH.count == 4 * hiddenSize, "biases of layer \(l) are not (4H)")

            var nextSequence = sequence
            for n in 0..<batch {
                var h = [Double](repeating: 0, count: hiddenSize)
                var c = [Double](repeating: 0, count: hiddenSize)
                for t in 0..<steps {
                    let input = sequence[n][t]
                    var z = [Double](repeating: 0, count: 4 * hiddenSize)
                    for row in 0..<(4 * hiddenSize) {
                        var sum = Double(bIH[row]) + Double(bHH[row])
                        for j in 0..<inputSize { sum += Double(wIH[row * inputSize + j]) * input[j] }
                        for j in 0..<hiddenSize { sum += Double(wHH[row * hiddenSize + j]) * h[j] }
                        z[row] = sum
                    }
                    for u in 0..<hiddenSize {
                        let i = sigmoid(z[u])
                        let f = sigmoid(z[hiddenSize + u])
                        let g = Foundation.tanh(z[2 * hiddenSize + u])
                        let o = sigmoid(z[3 * hiddenSize + u])
                        c[u] = f * c[u] + i * g
                        h[u] = o * Foundation.tanh(c[u])
                    }
                    nextSequence[n][t] = h
                }
                finalHidden += h.map { Float($0) }
                finalCell += c.map { Float($0) }
            }
            sequence = nextSequence
        }

        let output = sequence.flatMap { $0.flatMap { $0.map { Float($0) } } }
        return (Tensor(shape: [batch, steps, hiddenSize], scalars: output),
                Tensor(shape: [layers, batch, hiddenSize], scalars: finalHidden),
                Tensor(shape: [layers, batch, hiddenSize], scalars: finalCell))
    }
}
