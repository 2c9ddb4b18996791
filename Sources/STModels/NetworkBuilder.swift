import STCore

/// Layer helpers shared by the built-in architectures: weight initialisation schemes, single
/// layers (convolution, batch norm, ReLU, linear, pooling) and torchvision-style
/// convolution + batch norm (+ ReLU) sequences, each stored under its PyTorch module name.
struct NetworkBuilder {
    /// How new weights are filled.
    enum Initialization {
        /// Each layer's own scheme (`WeightScheme`) drawn from generators seeded in build order,
        /// so the graph is reproducible from the seed.
        case seeded(UInt64)
        /// Constant schemes as given (batch-norm scales stay 1) and zeros for every random one:
        /// the structure, shapes and parameter count without drawing tens of millions of random
        /// numbers, for tests and shape inspection.
        case zeros
    }

    /// How one weight or bias tensor is initialised. Fans follow PyTorch: for a weight
    /// `O × C × k…` (or a linear `O × C`), fan-in = C·Πk and fan-out = O·Πk.
    enum WeightScheme {
        /// N(0, 2/fan) with fan = fan-out (torchvision's `kaiming_normal_(mode='fan_out')`) or
        /// fan-in (PyTorch's `kaiming_normal_` default).
        case kaimingNormal(fanOut: Bool)
        /// U(−b, b) with b = √(6 / (fan-in + fan-out)) (`xavier_uniform_`).
        case xavierUniform
        /// U(−b, b): PyTorch's default for convolution and linear layers (b = 1/√fan-in, weights
        /// and biases alike) and for LSTMs (b = 1/√hidden).
        case uniform(bound: Float)
        /// N(0, std²).
        case normal(std: Float)
        /// Every element equal to `value` (batch-norm scales and shifts, zero biases).
        case constant(Float)

        /// PyTorch's default initialisation of a layer whose weight has this shape:
        /// U(−1/√fan-in, 1/√fan-in).
        static func pytorchDefault(weightShape: [Int]) -> WeightScheme {
            .uniform(bound: 1 / Float(weightShape.dropFirst().reduce(1, *)).squareRoot())
        }
    }

    var builder: GraphBuilder
    /// The state the next random tensor's seed derives from; nil under `.zeros`.
    private var seed: UInt64?

    init(input: String, shape: [Int], initialization: Initialization) {
        builder = GraphBuilder(input: input, shape: shape)
        if case .seeded(let seed) = initialization { self.seed = seed }
    }

    /// `channels · multiplier`, rounded, at least 1: the width of a layer in a scaled variant.
    static func scaled(_ channels: Int, by multiplier: Double) -> Int {
        max(1, Int((Double(channels) * multiplier).rounded()))
    }

    /// Throws `STError.invalidRequest` unless a clip classifier has at least one class, a positive
    /// width multiplier and an `N × C × T × H × W` input shape.
    static func checkClipClassifier(_ name: String, classes: Int, widthMultiplier: Double, inputShape: [Int]) throws {
        guard classes >= 1, widthMultiplier > 0, inputShape.count == 5 else {
            throw STError.invalidRequest("\(name) needs classes ≥ 1, a positive width multiplier and an N×C×T×H×W "
                                         + "input; got \(classes), \(widthMultiplier), \(inputShape)")
        }
    }

    private mutating func nextSeed() -> UInt64 {
        let next = (seed ?? 0) &+ 0x9E37_79B9
        seed = next
        return next
    }

    /// A new tensor of `shape` filled by `scheme` (zeros for random schemes under `.zeros`).
    mutating func tensor(_ shape: [Int], _ scheme: WeightScheme) -> Tensor {
        let receptiveField = shape.dropFirst(2).reduce(1, *)
        let fanIn = shape.count > 1 ? shape[1] * receptiveField : shape[0]
        let fanOut = shape[0] * receptiveField
        switch scheme {
        case .constant(let value):
            return Tensor(repeating: value, shape: shape)
        case _ where seed == nil:
            return Tensor(zeros: shape)
        case .kaimingNormal(let useFanOut):
            let fan = Float(useFanOut ? fanOut : fanIn)
            return Tensor.randomNormal(shape: shape, std: (2 / fan).squareRoot(), seed: nextSeed())
        case .xavierUniform:
            let bound = (6 / Float(fanIn + fanOut)).squareRoot()
            return Tensor.randomUniform(shape: shape, in: -bound...bound, seed: nextSeed())
        case .uniform(let bound):
            return Tensor.randomUniform(shape: shape, in: -bound...bound, seed: nextSeed())
        case .normal(let std):
            return Tensor.randomNormal(shape: shape, std: std, seed: nextSeed())
        }
    }

    /// The output shape of an already added node for the builder's input shape.
    func outputShape(of node: String) throws -> [Int] {
        let graph = try builder.build(output: node)
        let shapes = try graph.inferShapes(Dictionary(uniqueKeysWithValues: graph.inputs.map { ($0.name, $0.shape) }))
        guard let shape = shapes[node] else { throw STError.unknownNode(node) }
        return shape
    }

    /// A convolution node `name` (`weight` `O × C × kernel…`, `bias` `O` when `bias` is given)
    /// with the given stride and padding; returns `name`.
    @discardableResult
    mutating func convolution(_ name: String, input: String, inChannels: Int, outChannels: Int, kernel: [Int],
                              stride: [Int], padding: [Int], weight: WeightScheme,
                              bias: WeightScheme?) throws -> String {
        let weightShape = [outChannels, inChannels] + kernel
        var parameters = ["weight": tensor(weightShape, weight)]
        if let bias { parameters["bias"] = tensor([outChannels], bias) }
        return try builder.add(name, Convolution(geometry: ConvolutionGeometry(stride: stride, padding: padding),
                                                 bias: bias != nil),
                               inputs: [input], parameters: parameters)
    }

    /// A batch norm node `name` initialised as PyTorch does (scale 1, shift 0, running mean 0,
    /// running variance 1); returns `name`.
    @discardableResult
    mutating func batchNorm(_ name: String, input: String, channels: Int) throws -> String {
        let parameters = ["weight": tensor([channels], .constant(1)), "bias": tensor([channels], .constant(0))]
        return try builder.add(name, BatchNorm(), inputs: [input], parameters: parameters,
                               buffers: ["running_mean": Tensor(zeros: [channels]),
                                         "running_var": Tensor(repeating: 1, shape: [channels])])
    }

    /// A ReLU node `name`; returns `name`.
    @discardableResult
    mutating func relu(_ name: String, input: String) throws -> String {
        try builder.add(name, ReLU(), inputs: [input])
    }

    /// A linear node `name` (`weight` `out × in`, `bias` `out` when `bias` is given); returns `name`.
    @discardableResult
    mutating func linear(_ name: String, input: String, inFeatures: Int, outFeatures: Int,
                         weight: WeightScheme, bias: WeightScheme?) throws -> String {
        var parameters = ["weight": tensor([outFeatures, inFeatures], weight)]
        if let bias { parameters["bias"] = tensor([outFeatures], bias) }
        return try builder.add(name, Linear(bias: bias != nil), inputs: [input], parameters: parameters)
    }

    /// A max-pooling node `name` (stride = kernel unless given, padding 0 unless given); returns `name`.
    @discardableResult
    mutating func maxPool(_ name: String, input: String, kernel: [Int], stride: [Int]? = nil,
                          padding: [Int]? = nil) throws -> String {
        try builder.add(name, Pooling(.max, geometry: PoolingGeometry(kernel: kernel, stride: stride, padding: padding)),
                        inputs: [input])
    }

    /// torchvision's `Sequential(Conv, BatchNorm, ReLU)`: `name.0` convolution (no bias,
    /// Kaiming-normal fan-out), `name.1` batch norm, and `name.2` ReLU when asked; returns the
    /// last node's name.
    mutating func convolutionBlock(_ name: String, input: String, inChannels: Int, outChannels: Int,
                                   kernel: [Int], stride: [Int], padding: [Int], relu withReLU: Bool) throws -> String {
        try convolution("\(name).0", input: input, inChannels: inChannels, outChannels: outChannels, kernel: kernel,
                        stride: stride, padding: padding, weight: .kaimingNormal(fanOut: true), bias: nil)
        try batchNorm("\(name).1", input: "\(name).0", channels: outChannels)
        guard withReLU else { return "\(name).1" }
        return try relu("\(name).2", input: "\(name).1")
    }

    /// A plain CNN feature extractor as one `nn.Sequential` named `name`: per stage,
    /// convolution (kernel 3, padding 1, no bias, Kaiming-normal fan-out) → batch norm → ReLU,
    /// and a max pool between stages (not after the last one), of kernel and stride 2 along every
    /// axis, or along the spatial axes only when `poolsTime` is false (3D: `MaxPool3d((1, 2, 2))`).
    /// Children are numbered as PyTorch numbers a Sequential's modules: `name.0` conv, `name.1`
    /// batch norm, `name.2` ReLU, `name.3` max pool, `name.4` the next conv, …
    ///
    /// Returns the last stage's ReLU (the layer CAM methods explain), also aliased as `name`.
    mutating func convolutionStages(_ name: String, input: String, inChannels: Int, stageChannels: [Int],
                                    spatialRank: Int, poolsTime: Bool = true) throws -> String {
        let ones = Array(repeating: 1, count: spatialRank)
        let poolKernel = spatialRank == 3 && !poolsTime ? [1, 2, 2] : ones.map { 2 * $0 }
        var current = input
        var channels = inChannels
        var index = 0
        for (stage, outChannels) in stageChannels.enumerated() {
            if stage > 0 {
                current = try maxPool("\(name).\(index)", input: current, kernel: poolKernel)
                index += 1
            }
            try convolution("\(name).\(index)", input: current, inChannels: channels, outChannels: outChannels,
                            kernel: ones.map { 3 * $0 }, stride: ones, padding: ones,
                            weight: .kaimingNormal(fanOut: true), bias: nil)
            try batchNorm("\(name).\(index + 1)", input: "\(name).\(index)", channels: outChannels)
            current = try relu("\(name).\(index + 2)", input: "\(name).\(index + 1)")
            index += 3
            channels = outChannels
        }
        builder.alias(name, to: current)
        return current
    }
}
