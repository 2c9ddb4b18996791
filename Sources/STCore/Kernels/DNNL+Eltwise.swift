import CDNNL

extension DNNL {
    /// Element-wise functions oneDNN computes.
    enum Eltwise {
        case relu, sigmoid, tanh
        /// max(x, 0) + slope·min(x, 0): oneDNN's relu with α = slope.
        case leakyRelu(slope: Float)
        /// x·Φ(x) = ½x(1 + erf(x/√2)).
        case geluErf
        /// ½x(1 + tanh(√(2/π)(x + 0.044715x³))).
        case geluTanh
        /// x·max(0, min(1, x/6 + ½)) (oneDNN 2.6 fixes the slope and offset; α and β are ignored).
        case hardSwish
        /// scale·x + shift.
        case linear(scale: Float, shift: Float)
        /// max(lower, min(upper, x)), with derivative 1 strictly between the bounds and 0 elsewhere
        /// (oneDNN's `clip_v2`).
        case clip(lower: Float, upper: Float)
        /// x^exponent (oneDNN's pow with α = 1, β = exponent).
        case power(exponent: Float)
        case sqrt

        var forwardAlgorithm: dnnl_alg_kind_t {
            switch self {
            case .relu, .leakyRelu: return dnnl_eltwise_relu
            case .sigmoid: return dnnl_eltwise_logistic
            case .tanh: return dnnl_eltwise_tanh
            case .geluErf: return dnnl_eltwise_gelu_erf
            case .geluTanh: return dnnl_eltwise_gelu_tanh
            case .hardSwish: return dnnl_eltwise_hardswish
            case .linear: return dnnl_eltwise_linear
            case .clip: return dnnl_eltwise_clip_v2
            case .power: return dnnl_eltwise_pow
            case .sqrt: return dnnl_eltwise_sqrt
            }
        }

        /// The variant whose backward pass reads the forward output instead of the input (valid
        /// for leaky ReLU with a non-negative slope, which keeps the sign); nil where oneDNN has
        /// none and the backward pass reads the input.
        var fromOutputAlgorithm: dnnl_alg_kind_t? {
            switch self {
            case .relu, .leakyRelu: return dnnl_eltwise_relu_use_dst_for_bwd
            case .sigmoid: return dnnl_eltwise_logistic_use_dst_for_bwd
            case .tanh: return dnnl_eltwise_tanh_use_dst_for_bwd
            case .clip: return dnnl_eltwise_clip_v2_use_dst_for_bwd
            case .sqrt: return dnnl_eltwise_sqrt_use_dst_for_bwd
            case .geluErf, .geluTanh, .hardSwish, .linear, .power: return nil
            }
        }

        /// oneDNN's α parameter.
        var alpha: Float {
            switch self {
            case .leakyRelu(let slope): return slope
            case .linear(let scale, _): return scale
            case .clip(let lower, _): return lower
            case .power: return 1
            case .relu, .sigmoid, .tanh, .geluErf, .geluTanh, .hardSwish, .sqrt: return 0
            }
        }

        /// oneDNN's β parameter.
        var beta: Float {
            switch self {
            case .linear(_, let shift): return shift
            case .clip(_, let upper): return upper
            case .power(let exponent): return exponent
            case .relu, .sigmoid, .tanh, .leakyRelu, .geluErf, .geluTanh, .hardSwish, .sqrt: return 0
            }
        }
    }

    private static func eltwisePrimitive(_ algorithm: dnnl_alg_kind_t, _ function: Eltwise, _ data: Desc) throws -> Primitive {
        try cached("eltwise|\(algorithm.rawValue)|\(function.alpha)|\(function.beta)|\(descKey(data))") {
            var op = dnnl_eltwise_desc_t()
            var data = data
            try check(dnnl_eltwise_forward_desc_init(&op, dnnl_forward_training, algorithm, &data, function.alpha,
                                                     function.beta),
                      "eltwise descriptor")
            return try Primitive(op: &op, what: "eltwise")
        }
    }

    /// `f(x)` element-wise, in `x`'s layout.
    static func eltwiseForward(_ x: Tensor, _ function: Eltwise) throws -> Tensor {
        let data = desc(x.shape, x.format)
        let primitive = try eltwisePrimitive(function.forwardAlgorithm, function, data)
        let output = Buffer(desc: data)
        try execute(primitive, [Argument(DNNL_ARG_SRC, data, x.storage), Argument(DNNL_ARG_DST, data, output.storage)])
        return Tensor(shape: x.shape, format: x.format, storage: output.storage)
    }

    /// `g · f′` where `f′` is computed from the forward output `y` (ReLU: `[y > 0]`, sigmoid:
    /// `y(1 − y)`, tanh: `1 − y²`, clip: `[lower < y < upper]`, sqrt: `1/(2y)`). The result has
    /// `y`'s layout.
    static func eltwiseBackward(_ gradOutput: Tensor, output y: Tensor, _ function: Eltwise) throws -> Tensor {
        guard let algorithm = function.fromOutputAlgorithm else {
            preconditionFailure("\(function) has no backward pass from its output")
        }
        return try eltwiseBackward(gradOutput, values: y, slot: DNNL_ARG_DST, algorithm, function)
    }

    /// `g · f′(x)` computed from the forward input `x` (GELU, hard swish, linear, pow). The result
    /// has `x`'s layout.
    static func eltwiseBackward(_ gradOutput: Tensor, input x: Tensor, _ function: Eltwise) throws -> Tensor {
        try eltwiseBackward(gradOutput, values: x, slot: DNNL_ARG_SRC, function.forwardAlgorithm, function)
    }

    /// The backward primitive of `algorithm`, reading the forward input or output `values` (in `slot`).
    private static func eltwiseBackward(_ gradOutput: Tensor, values: Tensor, slot: Int32, _ algorithm: dnnl_alg_kind_t,
                                        _ function: Eltwise) throws -> Tensor {
        let data = desc(values.shape, values.format)
        let forward = try eltwisePrimitive(algorithm, function, data)
        let primitive = try cached("eltwise-bwd|\(algorithm.rawValue)|\(function.alpha)|\(function.beta)|\(descKey(data))") {
            var op = dnnl_eltwise_desc_t()
            var diff = data, source = data
            try check(dnnl_eltwise_backward_desc_init(&op, algorithm, &diff, &source, function.alpha, function.beta),
                      "eltwise backward descriptor")
            return try Primitive(op: &op, hint: forward, what: "eltwise backward")
        }
        let gradInput = Buffer(desc: data)
        try execute(primitive, [
            Argument(slot, data, values.storage),
            Argument(DNNL_ARG_DIFF_DST, data, try conform(gradOutput, to: data)),
            Argument(DNNL_ARG_DIFF_SRC, data, gradInput.storage),
        ])
        return Tensor(shape: values.shape, format: values.format, storage: gradInput.storage)
    }
}
