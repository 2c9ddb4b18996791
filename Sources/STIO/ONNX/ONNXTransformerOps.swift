import STCore

/// The layers of transformers and efficient CNNs: layer normalisation, GELU, hard sigmoid and
/// hard swish, and the element-wise powers and roots that attention scales and older layer-norm
/// exports compute at run time.
extension ONNXGraphConverter {
    /// `LayerNormalization(X, Scale, B)` (opset 17) → `LayerNorm(axis:epsilon:)` over the axes
    /// from `axis` (default −1) on, with the scale and bias as its weight and bias (zeros when B
    /// is absent). The mean and inverse-deviation outputs are not computed.
    mutating func convertLayerNormalization(_ node: ONNXNode) throws {
        let input = try tensorInput(node, 0)
        let inputShape = shape(input)
        var axis = try node.int("axis", default: -1)
        axis = axis < 0 ? axis + inputShape.count : axis
        guard axis >= 0 && axis < inputShape.count else { throw ONNXImportIssue.malformed("axis \(axis) for \(inputShape)") }
        let normalized = Array(inputShape[axis...])
        guard let scale = try constantInput(node, 1, role: "scale") else { throw ONNXImportIssue.malformed("the scale is missing") }
        let bias = try constantInput(node, 2, role: "bias")
        func parameter(_ role: String, _ value: ONNXConstant?, fill: Float) throws -> ONNXStateEntry {
            guard let value else {
                return ONNXStateEntry(role: role, value: Tensor(shape: normalized, scalars: Array(repeating: fill, count: normalized.reduce(1, *))),
                                      preferredKey: nil)
            }
            guard value.count == normalized.reduce(1, *) else {
                throw ONNXImportIssue.malformed("\(role) of shape \(value.shape) for normalised axes \(normalized)")
            }
            return ONNXStateEntry(role: role, value: Tensor(shape: normalized, scalars: value.floats), preferredKey: value.initializer)
        }
        let op = LayerNorm(axis: axis, epsilon: try node.float("epsilon", default: 1e-5))
        let name = try addNode(node.name, op, inputs: [input],
                               parameters: [try parameter("weight", scale, fill: 1), try parameter("bias", bias, fill: 0)])
        bind(node.outputs[0], to: .node(name))
        if node.outputs.count > 1 {
            markUnavailable(Array(node.outputs.dropFirst()),
                            report: UnsupportedOperator(op: "LayerNormalization", node: node.name, detail: "its mean and deviation outputs are not computed"))
        }
    }

    /// `Gelu` (opset 20, and the fused erf pattern of earlier exports) → `GELU`, exact or with
    /// the tanh approximation (`approximate = "tanh"`).
    mutating func convertGELU(_ node: ONNXNode) throws {
        let approximate = try node.string("approximate") ?? "none"
        guard let approximation = GELU.Approximation(rawValue: approximate) else {
            throw ONNXImportIssue.malformed("approximate '\(approximate)' is neither none nor tanh")
        }
        try convertUnary(node, GELU(approximation: approximation))
    }

    /// `HardSigmoid(alpha, beta)` (defaults 0.2, 0.5; torch writes α = 1/6) → `HardSigmoid`.
    mutating func convertHardSigmoid(_ node: ONNXNode) throws {
        try convertUnary(node, HardSigmoid(alpha: try node.float("alpha", default: 0.2), beta: try node.float("beta", default: 0.5)))
    }

    /// `Pow(x, p)` of a computed x with a constant scalar p → `Power(exponent: p)` (x² of the
    /// variance in older layer-norm exports); a computed exponent is unsupported.
    mutating func convertPower(_ node: ONNXNode) throws {
        guard let name = node.input(1), case .constant(let exponent)? = values[name], exponent.count == 1 else {
            throw ONNXImportIssue.unsupported("its exponent is not one constant")
        }
        try convertUnary(node, Power(exponent: exponent.floats[0]))
    }
}
