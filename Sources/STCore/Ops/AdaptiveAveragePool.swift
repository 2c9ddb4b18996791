/// PyTorch `AdaptiveAvgPool1d/2d/3d`: average pooling of an `N × C × spatial…` input to a fixed
/// output size per spatial axis (`nil` keeps that axis's input size).
///
/// Along an axis of input size `s` and output size `S`, output position i averages the window
/// [⌊i·s/S⌋, ⌈(i+1)·s/S⌉); the window of an output point is the product of its axes' windows:
///
///     y[n, c, p] = Σ_{q ∈ W(p)} x[n, c, q] / |W(p)|        ∂L/∂x[n, c, q] = Σ_{p : q ∈ W(p)} g[n, c, p] / |W(p)|
///
/// When every `S` divides its `s`, the windows tile the input with kernel = stride = s/S and
/// oneDNN's average pooling computes both passes; otherwise (overlapping or uneven windows,
/// which oneDNN cannot express) Swift loops over the windows do.
///
/// Shape errors: an input rank other than `spatial + 2`, or an output size below 1.
public struct AdaptiveAveragePool: Op {
    /// Output size per spatial axis; nil keeps the input's size along that axis.
    public let outputSize: [Int?]

    public init(outputSize: [Int?]) {
        self.outputSize = outputSize
    }

    /// Global average pooling to a single point per channel, e.g. torchvision r3d_18's `avgpool`
    /// (`AdaptiveAvgPool3d((1, 1, 1))`).
    public static func global(spatialRank: Int) -> AdaptiveAveragePool {
        AdaptiveAveragePool(outputSize: Array(repeating: 1, count: spatialRank))
    }

    public var typeName: String { "AdaptiveAvgPool\(outputSize.count)d" }

    /// Uniform tilings run as average pooling, whose backward reads its saved state.
    public var backwardReadsSavedState: Bool { true }

    public func outputShape(inputs: [[Int]], parameters: [[Int]]) throws -> [Int] {
        let input = inputs[0], spatial = outputSize.count
        try ShapeCheck.require(input.count == spatial + 2, "\(typeName) expects a rank-\(spatial + 2) input, got \(input)")
        try ShapeCheck.require(input.dropFirst(2).allSatisfy { $0 >= 1 }, "\(typeName) input \(input) is empty")
        try ShapeCheck.require(outputSize.allSatisfy { ($0 ?? 1) >= 1 }, "\(typeName) output size \(outputSize) must be positive")
        return Array(input.prefix(2)) + outputSpatial(input: input)
    }

    public func forward(_ inputs: [Tensor], parameters: [Tensor], context: inout ForwardContext) throws -> OpOutput {
        let x = inputs[0]
        let shape = try outputShape(inputs: [x.shape], parameters: [])
        if let tiling = tilingPooling(input: x.shape) {
            return try tiling.forward(inputs, parameters: parameters, context: &context)
        }
        let windows = Self.windows(input: Array(x.shape.dropFirst(2)), output: Array(shape.dropFirst(2)))
        let planes = x.shape[0] * x.shape[1], inputVolume = x.shape.dropFirst(2).reduce(1, *)
        var output = Tensor(uninitialized: shape)
        x.withUnsafeBufferPointer { source in
            output.withUnsafeMutableBufferPointer { target in
                for plane in 0..<planes {
                    let base = plane * inputVolume
                    for (position, window) in windows.enumerated() {
                        let sum = window.reduce(Float(0)) { $0 + source[base + $1] }
                        target[plane * windows.count + position] = sum / Float(window.count)
                    }
                }
            }
        }
        return OpOutput(output)
    }

    public func backward(_ gradOutput: Tensor, record: OpRecord, needInputs: [Bool],
                         context: BackwardContext) throws -> OpGradients {
        guard needInputs[0] else { return OpGradients(inputs: [nil]) }
        let inputShape = record.inputs[0].shape
        if let tiling = tilingPooling(input: inputShape) {
            return try tiling.backward(gradOutput, record: record, needInputs: needInputs, context: context)
        }
        let windows = Self.windows(input: Array(inputShape.dropFirst(2)), output: Array(gradOutput.shape.dropFirst(2)))
        let planes = inputShape[0] * inputShape[1], inputVolume = inputShape.dropFirst(2).reduce(1, *)
        var gradInput = Tensor(zeros: inputShape)
        gradOutput.withUnsafeBufferPointer { gradient in
            gradInput.withUnsafeMutableBufferPointer { target in
                for plane in 0..<planes {
                    let base = plane * inputVolume
                    for (position, window) in windows.enumerated() {
                        let share = gradient[plane * windows.count + position] / Float(window.count)
                        for offset in window { target[base + offset] += share }
                    }
                }
            }
        }
        return OpGradients(inputs: [gradInput])
    }

    /// The spatial output size for an `N × C × spatial…` input shape.
    func outputSpatial(input: [Int]) -> [Int] {
        zip(outputSize, input.dropFirst(2)).map { size, inputSize in size ?? inputSize }
    }

    /// The equivalent average pooling with kernel = stride = s/S, when every S divides its s.
    private func tilingPooling(input: [Int]) -> Pooling? {
        let inputSpatial = Array(input.dropFirst(2)), output = outputSpatial(input: input)
        guard zip(inputSpatial, output).allSatisfy({ $0 % $1 == 0 }) else { return nil }
        return Pooling(.average(countIncludePad: false), geometry: PoolingGeometry(kernel: zip(inputSpatial, output).map(/)))
    }

    /// For each output point (row-major), the row-major offsets within one input plane of the
    /// points it averages: the product of the per-axis windows [⌊i·s/S⌋, ⌈(i+1)·s/S⌉).
    static func windows(input: [Int], output: [Int]) -> [[Int]] {
        var windows: [[Int]] = [[0]]
        for (inputSize, outputSize) in zip(input, output) {
            let ranges = (0..<outputSize).map { i in
                (i * inputSize / outputSize)..<(((i + 1) * inputSize + outputSize - 1) / outputSize)
            }
            windows = windows.flatMap { window in
                ranges.map { range in window.flatMap { base in range.map { base * inputSize + $0 } } }
            }
        }
        return windows
    }
}
