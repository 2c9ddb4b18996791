import STCore

/// LRP through an `LSTM` node (Arras et al. 2017, "Explaining recurrent neural network
/// predictions in sentiment analysis"; 2019, "Evaluating recurrent neural network
/// explanations"): the gates i, f, o only switch the signal and get no relevance
/// (signal-take-all); the cell's sum and the linear maps share it with the ε rule.
///
/// Per layer, from the top layer down, and per step from t = T−1 down to 0 — with R_h_t the
/// relevance of h_t from above plus what step t+1's recurrent map passed back, and R_c_t what
/// step t+1's cell passed back (both 0 at t = T−1):
///
///     h_t = o ⊙ tanh c_t:                    R_c_t += R_h_t                         (o gets nothing)
///     c_t = f ⊙ c_{t−1} + i ⊙ g:             R_c_{t−1} = f⊙c_{t−1} / (c_t + ε·sign c_t) · R_c_t
///                                            R_g       = i⊙g      / (c_t + ε·sign c_t) · R_c_t
///                                                                                     (f, i get nothing)
///     g = tanh z_g passes R_g on to z_g = W_ih[g]·x_t + W_hh[g]·h_{t−1} + b_g, shared by ε:
///         R_x_t[k]     = Σ_u x_t[k]·W_ih[g][u, k]     / (z_g[u] + ε·sign z_g[u]) · R_g[u]
///         R_h_{t−1}[k] = Σ_u h_{t−1}[k]·W_hh[g][u, k] / (z_g[u] + ε·sign z_g[u]) · R_g[u]
///
/// (W[g] are the rows 2H…3H−1 of `weight_ih_l{l}` and `weight_hh_l{l}`, b_g = b_ih[g] + b_hh[g].)
/// The relevance of layer l's inputs x_t is the relevance of layer l−1's outputs h_t. The zero
/// initial state takes nothing (c_{−1} = h_{−1} = 0), so Σ R_in = Σ R_out up to what the biases
/// b_g and ε absorb.
struct LSTMRelevance: LRPLayerRule {
    func inputRelevance(_ step: LRPStep) throws -> [Tensor?] {
        [try Self.inputRelevance(of: try step.op(as: LSTM.self), record: try step.record(), relevance: step.relevance,
                                 epsilon: step.epsilon)]
    }

    /// The relevance of the input `(N, T, in)` of `lstm`, from `relevance` of its output
    /// `(N, T, H)` and the `record` of its forward call.
    static func inputRelevance(of lstm: LSTM, record: OpRecord, relevance: Tensor, epsilon: Float) throws -> Tensor {
        var relevance = relevance.plain()
        for (l, layer) in lstm.layerRecords(record).enumerated().reversed() {
            relevance = try layerInputRelevance(layer, weights: lstm.weights(record.parameters, layer: l),
                                                relevance: relevance, epsilon: epsilon)
        }
        return relevance
    }

    /// One layer, backwards in time; the linear map of step t is z_g = [x_t, h_{t−1}]·[W_ih[g] | W_hh[g]]ᵀ + b_g,
    /// evaluated and transposed by `Linear` as the rules do.
    private static func layerInputRelevance(_ layer: LSTM.LayerRecord, weights: LSTM.Weights, relevance: Tensor,
                                            epsilon: Float) throws -> Tensor {
        let (batch, steps, inputSize) = (layer.input.shape[0], layer.input.shape[1], layer.input.shape[2])
        let h = relevance.shape[2], joint = inputSize + h
        let (inputHidden, hiddenHidden) = (weights.inputHidden.scalars, weights.hiddenHidden.scalars)
        var gateWeight: [Float] = []
        gateWeight.reserveCapacity(h * joint)
        for u in 2 * h..<3 * h {
            gateWeight += inputHidden[(u * inputSize)..<((u + 1) * inputSize)]
            gateWeight += hiddenHidden[(u * h)..<((u + 1) * h)]
        }
        let gateBias = weights.bias.map { Tensor(shape: [h], scalars: Array($0.scalars[(2 * h)..<(3 * h)])) }
        let map = Linear(bias: gateBias != nil)
        let parameters = [Tensor(shape: [h, joint], scalars: gateWeight)] + (gateBias.map { [$0] } ?? [])

        let (x, hidden, fromAbove) = (layer.input.scalars, layer.hidden.scalars, relevance.scalars)
        let (gates, cells) = (layer.gates, layer.cells)
        var inputRelevance = [Float](repeating: 0, count: batch * steps * inputSize)
        var carriedHidden = [Float](repeating: 0, count: batch * h)
        var carriedCell = [Float](repeating: 0, count: batch * h)
        for t in stride(from: steps - 1, through: 0, by: -1) {
            var mapInput = [Float](repeating: 0, count: batch * joint)
            var gateRelevance = [Float](repeating: 0, count: batch * h)
            for n in 0..<batch {
                let row = n * steps + t
                mapInput.replaceSubrange((n * joint)..<(n * joint + inputSize),
                                         with: x[(row * inputSize)..<((row + 1) * inputSize)])
                if t > 0 {
                    mapInput.replaceSubrange((n * joint + inputSize)..<((n + 1) * joint),
                                             with: hidden[((row - 1) * h)..<(row * h)])
                }
                for u in 0..<h {
                    let gate = row * 4 * h + u
                    let (i, f, g) = (gates[gate], gates[gate + h], gates[gate + 2 * h])
                    let previousCell = t == 0 ? 0 : cells[(row - 1) * h + u]
                    let cellRelevance = fromAbove[row * h + u] + carriedHidden[n * h + u] + carriedCell[n * h + u]
                    let ratio = cellRelevance / EpsilonRule.stabilised(cells[row * h + u], epsilon: epsilon)
                    carriedCell[n * h + u] = f * previousCell * ratio
                    gateRelevance[n * h + u] = i * g * ratio
                }
            }
            let input = Tensor(shape: [batch, joint], scalars: mapInput)
            var context = ForwardContext()
            let record = OpRecord(inputs: [input], parameters: parameters,
                                  output: try map.forward([input], parameters: parameters, context: &context))
            let ratio = Tensor(shape: [batch, h], scalars: gateRelevance).divided(byStabilised: record.output,
                                                                                 epsilon: epsilon)
            let gradient = try map.backward(ratio, record: record, needInputs: [true], context: BackwardContext()).inputs[0]!
            let shares = input.multiplied(by: gradient).scalars
            for n in 0..<batch {
                let row = n * steps + t
                inputRelevance.replaceSubrange((row * inputSize)..<((row + 1) * inputSize),
                                               with: shares[(n * joint)..<(n * joint + inputSize)])
                carriedHidden.replaceSubrange((n * h)..<((n + 1) * h),
                                              with: shares[(n * joint + inputSize)..<((n + 1) * joint)])
            }
        }
        return Tensor(shape: [batch, steps, inputSize], scalars: inputRelevance)
    }
}
