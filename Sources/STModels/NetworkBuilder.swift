import STCore

/// Layer helpers shared by the built-in architectures: convolution + batch norm (+ ReLU)
/// sequences and residual basic blocks with torchvision's module names.
struct NetworkBuilder {
    var builder: GraphBuilder
    private var seed: UInt64

    init(input: String, shape: [Int], seed: UInt64) {
        builder = GraphBuilder(input: input, shape: shape)
        self.seed = seed
    }

    private mutating func nextSeed() -> UInt64 {
        seed = seed &+ 0x9E37_79B9
        return seed
    }

    /// Kaiming-normal weights with fan-out scaling (torchvision's initialisation for video
    /// ResNets): std = √(2 / (O·k)).
    private mutating func kaimingNormalFanOut(_ shape: [Int]) -> Tensor {
        let fanOut = shape[0] * shape.dropFirst(2).reduce(1, *)
        return Tensor.randomNormal(shape: shape, std: (2 / Float(fanOut)).squareRoot(), seed: nextSeed())
    }

    /// `name.0` convolution (no bias), `name.1` batch norm, and `name.2` ReLU when asked;
    /// returns the last node's name.
    mutating func convolutionBlock(_ name: String, input: String, inChannels: Int, outChannels: Int,
                                   kernel: [Int], stride: [Int], padding: [Int], relu: Bool) throws -> String {
        let geometry = ConvolutionGeometry(stride: stride, padding: padding)
        try builder.add("\(name).0", Convolution(geometry: geometry, bias: false), inputs: [input],
                        parameters: ["weight": kaimingNormalFanOut([outChannels, inChannels] + kernel)])
        try builder.add("\(name).1", BatchNorm(), inputs: ["\(name).0"],
                        parameters: ["weight": Tensor(repeating: 1, shape: [outChannels]),
                                     "bias": Tensor(zeros: [outChannels])],
                        buffers: ["running_mean": Tensor(zeros: [outChannels]),
                                  "running_var": Tensor(repeating: 1, shape: [outChannels])])
        guard relu else { return "\(name).1" }
        try builder.add("\(name).2", ReLU(), inputs: ["\(name).1"])
        return "\(name).2"
    }

    /// torchvision's video `BasicBlock`: relu(conv2(conv1(x)) + shortcut(x)) with 3×3×3
    /// convolutions; the shortcut is `downsample` (1×1×1 strided convolution + batch norm) when
    /// the stride or the width changes. The shortcut is built first so the planner can fuse the
    /// residual add into `conv2`. Returns the block's output node, also aliased as `name`.
    mutating func basicBlock(_ name: String, input: String, inChannels: Int, outChannels: Int, stride: Int) throws -> String {
        var shortcut = input
        if stride != 1 || inChannels != outChannels {
            shortcut = try convolutionBlock("\(name).downsample", input: input, inChannels: inChannels,
                                            outChannels: outChannels, kernel: [1, 1, 1],
                                            stride: [stride, stride, stride], padding: [0, 0, 0], relu: false)
        }
        let conv1 = try convolutionBlock("\(name).conv1", input: input, inChannels: inChannels, outChannels: outChannels,
                                         kernel: [3, 3, 3], stride: [stride, stride, stride], padding: [1, 1, 1],
                                         relu: true)
        let conv2 = try convolutionBlock("\(name).conv2", input: conv1, inChannels: outChannels, outChannels: outChannels,
                                         kernel: [3, 3, 3], stride: [1, 1, 1], padding: [1, 1, 1], relu: false)
        try builder.add("\(name).add", Add(), inputs: [conv2, shortcut])
        try builder.add("\(name).relu", ReLU(), inputs: ["\(name).add"])
        builder.alias(name, to: "\(name).relu")
        return "\(name).relu"
    }
}
