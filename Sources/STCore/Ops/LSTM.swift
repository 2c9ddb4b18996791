import Foundation

/// Multi-layer LSTM (PyTorch `nn.LSTM(batch_first: true)`) with zero initial state: input
/// `(N, T, in)`, output the last layer's hidden state at every step `(N, T, H)`.
///
/// Per layer l, with parameters `weight_ih_l{l}` `(4H, in_l)`, `weight_hh_l{l}` `(4H, H)`,
/// `bias_ih_l{l}`, `bias_hh_l{l}` `(4H)` (rows in gate order i, f, g, o), and x_t the layer's
/// input (the layer below's h_t above layer 0):
///
///     z_t = W_ih·x_t + b_ih + W_hh·h_{t−1} + b_hh
///     i = σ(z_i),  f = σ(z_f),  g = tanh(z_g),  o = σ(z_o)
///     c_t = f ⊙ c_{t−1} + i ⊙ g,     h_t = o ⊙ tanh(c_t)
///
/// The input projection of all steps is one matrix product per layer; the recurrent product is
/// one per step. Backward (BPTT), from t = T−1 down, with dh_t = ∂L/∂h_t + W_hhᵀ·dz_{t+1}:
///
///     dc_t = dh_t ⊙ o ⊙ (1 − tanh² c_t) + dc_{t+1} ⊙ f_{t+1}
///     dz_i = dc_t ⊙ g ⊙ i(1 − i),   dz_f = dc_t ⊙ c_{t−1} ⊙ f(1 − f),
///     dz_g = dc_t ⊙ i ⊙ (1 − g²),   dz_o = dh_t ⊙ tanh c_t ⊙ o(1 − o)
///
/// then ∂L/∂x_t = W_ihᵀ·dz_t, ∂L/∂W_ih = Σ_{n,t} dz_t·x_tᵀ, ∂L/∂W_hh = Σ_{n,t} dz_t·h_{t−1}ᵀ,
/// ∂L/∂b_ih = ∂L/∂b_hh = Σ_{n,t} dz_t.
public struct LSTM: Op {
    public let layers: Int
    public let hiddenSize: Int
    public let hasBias: Bool

    public init(hiddenSize: Int, layers: Int = 1, bias: Bool = true) {
        precondition(hiddenSize > 0 && layers > 0, "LSTM with \(layers) layers of \(hiddenSize) units")
        self.hiddenSize = hiddenSize
        self.layers = layers
        hasBias = bias
    }

    public var typeName: String { "LSTM" }

    public var backwardReadsSavedState: Bool { true }

    public var parameterRoles: [String] {
        (0..<layers).flatMap { l in
            ["weight_ih_l\(l)", "weight_hh_l\(l)"] + (hasBias ? ["bias_ih_l\(l)", "bias_hh_l\(l)"] : [])
        }
    }

    private var parametersPerLayer: Int { hasBias ? 4 : 2 }

    public func outputShape(inputs: [[Int]], parameters: [[Int]]) throws -> [Int] {
        let input = inputs[0], h = hiddenSize
        try ShapeCheck.require(input.count == 3, "LSTM expects (N, T, in), got \(input)")
        for l in 0..<layers {
            let layer = Array(parameters[(l * parametersPerLayer)...].prefix(parametersPerLayer))
            let inputSize = l == 0 ? input[2] : h
            try ShapeCheck.require(layer[0] == [4 * h, inputSize],
                                   "weight_ih_l\(l) \(layer[0]) is not \([4 * h, inputSize]) (input \(input))")
            try ShapeCheck.require(layer[1] == [4 * h, h], "weight_hh_l\(l) \(layer[1]) is not \([4 * h, h])")
            for bias in layer.dropFirst(2) {
                try ShapeCheck.require(bias == [4 * h], "LSTM bias \(bias) of layer \(l) is not \([4 * h])")
            }
        }
        return [input[0], input[1], h]
    }

    /// One layer's parameters.
    public struct Weights: Sendable {
        /// W_ih `(4H, in_l)`.
        public let inputHidden: Tensor
        /// W_hh `(4H, H)`.
        public let hiddenHidden: Tensor
        /// b_ih + b_hh `(4H)`, or nil without biases.
        public let bias: Tensor?
    }

    /// Layer `l`'s parameters out of the op's `parameters` (in `parameterRoles` order).
    public func weights(_ parameters: [Tensor], layer l: Int) -> Weights {
        let base = l * parametersPerLayer
        let bias = hasBias
            ? Tensor(shape: [4 * hiddenSize], scalars: zip(parameters[base + 2].scalars, parameters[base + 3].scalars).map(+))
            : nil
        return Weights(inputHidden: parameters[base], hiddenHidden: parameters[base + 1], bias: bias)
    }

    /// What one layer's forward pass leaves for BPTT (and LRP), row-major `(N, T, ·)`.
    public struct LayerRecord: Sendable {
        /// The layer's input `(N, T, in_l)`.
        public let input: Tensor
        /// Activated gates i, f, g, o `(N, T, 4H)`.
        public let gates: [Float]
        /// Cell states `(N, T, H)`.
        public let cells: [Float]
        /// Hidden states `(N, T, H)`: the layer's output.
        public let hidden: Tensor
    }

    /// Every layer's states, lowest first, from the record of a `forward` call of this op.
    public func layerRecords(_ record: OpRecord) -> [LayerRecord] {
        record.saved as! [LayerRecord]
    }

    public func forward(_ inputs: [Tensor], parameters: [Tensor], context: inout ForwardContext) throws -> OpOutput {
        var input = inputs[0].plain()
        var records: [LayerRecord] = []
        for l in 0..<layers {
            let record = try forwardLayer(input, weights: weights(parameters, layer: l))
            records.append(record)
            input = record.hidden
        }
        return OpOutput(input, saved: records)
    }

    private func forwardLayer(_ x: Tensor, weights: Weights) throws -> LayerRecord {
        let (batch, steps, h) = (x.shape[0], x.shape[1], hiddenSize)
        // z for every (n, t) from the input alone: (N·T, in) × W_ihᵀ + b_ih + b_hh.
        let projection = try DNNL.matmul(DNNL.MatrixView(x, dims: [batch * steps, x.shape[2]]),
                                         DNNL.MatrixView(weights.inputHidden).transposed, bias: weights.bias).scalars
        var gates = [Float](repeating: 0, count: batch * steps * 4 * h)
        var cells = [Float](repeating: 0, count: batch * steps * h)
        var hidden = [Float](repeating: 0, count: batch * steps * h)
        var previousHidden = [Float](repeating: 0, count: batch * h)
        for t in 0..<steps {
            let recurrent = t == 0
                ? [Float](repeating: 0, count: batch * 4 * h)
                : try DNNL.matmul(DNNL.MatrixView(Tensor(shape: [batch, h], scalars: previousHidden)),
                                  DNNL.MatrixView(weights.hiddenHidden).transposed).scalars
            for n in 0..<batch {
                let row = n * steps + t
                for u in 0..<h {
                    func z(_ gate: Int) -> Float {
                        projection[row * 4 * h + gate * h + u] + recurrent[n * 4 * h + gate * h + u]
                    }
                    let (i, f, g, o) = (Self.sigmoid(z(0)), Self.sigmoid(z(1)), tanh(z(2)), Self.sigmoid(z(3)))
                    let previousCell = t == 0 ? 0 : cells[(row - 1) * h + u]
                    let cell = f * previousCell + i * g
                    let output = o * tanh(cell)
                    (gates[row * 4 * h + u], gates[row * 4 * h + h + u]) = (i, f)
                    (gates[row * 4 * h + 2 * h + u], gates[row * 4 * h + 3 * h + u]) = (g, o)
                    cells[row * h + u] = cell
                    hidden[row * h + u] = output
                    previousHidden[n * h + u] = output
                }
            }
        }
        return LayerRecord(input: x, gates: gates, cells: cells,
                           hidden: Tensor(shape: [batch, steps, h], scalars: hidden))
    }

    public func backward(_ gradOutput: Tensor, record: OpRecord, needInputs: [Bool],
                         context: BackwardContext) throws -> OpGradients {
        let records = layerRecords(record)
        var gradHidden = gradOutput.plain()
        var parameterGradients: [[Tensor]] = []
        for l in stride(from: layers - 1, through: 0, by: -1) {
            let layer = records[l]
            let inputHidden = record.parameters[l * parametersPerLayer]
            let hiddenHidden = record.parameters[l * parametersPerLayer + 1]
            let gradGates = try backwardThroughTime(gradHidden, layer: layer, hiddenHidden: hiddenHidden)
            if context.parameterGradients {
                parameterGradients.append(try layerParameterGradients(gradGates, layer: layer))
            }
            if l > 0 || needInputs[0] {
                let (batch, steps, inputSize) = (layer.input.shape[0], layer.input.shape[1], layer.input.shape[2])
                gradHidden = try DNNL.matmul(DNNL.MatrixView(gradGates, dims: [batch * steps, 4 * hiddenSize]),
                                             DNNL.MatrixView(inputHidden))
                    .reshaped([batch, steps, inputSize])
            }
        }
        return OpGradients(inputs: [needInputs[0] ? gradHidden : nil],
                           parameters: parameterGradients.reversed().flatMap { $0 })
    }

    /// ∂L/∂z `(N, T, 4H)` of one layer from ∂L/∂h `(N, T, H)` coming from above.
    private func backwardThroughTime(_ gradHidden: Tensor, layer: LayerRecord, hiddenHidden: Tensor) throws -> Tensor {
        let (batch, steps, h) = (gradHidden.shape[0], gradHidden.shape[1], hiddenSize)
        let dOutput = gradHidden.scalars
        let (gates, cells) = (layer.gates, layer.cells)
        var gradGates = [Float](repeating: 0, count: batch * steps * 4 * h)
        var gradStep = [Float](repeating: 0, count: batch * 4 * h)
        // ∂L/∂h_t and ∂L/∂c_t carried from step t + 1.
        var carriedHidden = [Float](repeating: 0, count: batch * h)
        var carriedCell = [Float](repeating: 0, count: batch * h)
        for t in stride(from: steps - 1, through: 0, by: -1) {
            for n in 0..<batch {
                let row = n * steps + t
                for u in 0..<h {
                    let gate = row * 4 * h + u
                    let (i, f, g, o) = (gates[gate], gates[gate + h], gates[gate + 2 * h], gates[gate + 3 * h])
                    let tanhCell = tanh(cells[row * h + u])
                    let previousCell = t == 0 ? 0 : cells[(row - 1) * h + u]
                    let dh = dOutput[row * h + u] + carriedHidden[n * h + u]
                    let dc = dh * o * (1 - tanhCell * tanhCell) + carriedCell[n * h + u]
                    let step = n * 4 * h + u
                    gradStep[step] = dc * g * i * (1 - i)
                    gradStep[step + h] = dc * previousCell * f * (1 - f)
                    gradStep[step + 2 * h] = dc * i * (1 - g * g)
                    gradStep[step + 3 * h] = dh * tanhCell * o * (1 - o)
                    carriedCell[n * h + u] = dc * f
                }
                gradGates.replaceSubrange(row * 4 * h..<(row + 1) * 4 * h, with: gradStep[n * 4 * h..<(n + 1) * 4 * h])
            }
            if t > 0 {
                carriedHidden = try DNNL.matmul(DNNL.MatrixView(Tensor(shape: [batch, 4 * h], scalars: gradStep)),
                                                DNNL.MatrixView(hiddenHidden)).scalars
            }
        }
        return Tensor(shape: [batch, steps, 4 * h], scalars: gradGates)
    }

    /// ∂L/∂W_ih, ∂L/∂W_hh (and ∂L/∂b_ih, ∂L/∂b_hh) of one layer from its ∂L/∂z `(N, T, 4H)`.
    private func layerParameterGradients(_ gradGates: Tensor, layer: LayerRecord) throws -> [Tensor] {
        let (batch, steps, h) = (gradGates.shape[0], gradGates.shape[1], hiddenSize)
        let dz = DNNL.MatrixView(gradGates, dims: [batch * steps, 4 * h])
        let gradInputHidden = try DNNL.matmul(dz.transposed, DNNL.MatrixView(layer.input, dims: [batch * steps, layer.input.shape[2]]))
        // Σ_n Σ_{t ≥ 1} dz[n, t]ᵀ · h[n, t − 1]: per sample, dz from step 1 on against h up to T − 2.
        let gradHiddenHidden = steps < 2
            ? Tensor(zeros: [4 * h, h])
            : try DNNL.reduce(DNNL.matmul(DNNL.MatrixView(gradGates, dims: [batch, 4 * h, steps - 1],
                                                          strides: [steps * 4 * h, 1, 4 * h], offset: 4 * h),
                                          DNNL.MatrixView(layer.hidden, dims: [batch, steps - 1, h],
                                                          strides: [steps * h, h, 1])),
                              to: [1, 4 * h, h], mean: false).reshaped([4 * h, h])
        guard hasBias else { return [gradInputHidden, gradHiddenHidden] }
        let gradBias = try DNNL.reduce(gradGates.reshaped(dz.dims), to: [1, 4 * h], mean: false).reshaped([4 * h])
        return [gradInputHidden, gradHiddenHidden, gradBias, gradBias]
    }

    /// N · T · 4H · (in_l + H), summed over layers.
    public func multiplyAdds(inputs: [[Int]], parameters: [[Int]], output: [Int]) -> Int {
        let input = inputs[0], h = hiddenSize
        return (0..<layers).reduce(0) { total, l in
            total + input[0] * input[1] * 4 * h * ((l == 0 ? input[2] : h) + h)
        }
    }

    private static func sigmoid(_ x: Float) -> Float {
        1 / (1 + exp(-x))
    }
}
