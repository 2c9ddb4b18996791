/// One convolution as its bare oneDNN primitive — no graph, no layout changes, no other layers —
/// bound once to buffers in the layouts the primitive chose, so that `run()` executes the
/// primitive and nothing else. Benchmarks time it with their own clock: the floor any engine
/// built on oneDNN can reach for the layer.
public final class BareConvolution {
    /// Which primitive of the convolution.
    public enum Pass: Sendable {
        case forward
        /// The gradient with respect to the input.
        case backwardData
    }

    /// oneDNN's implementation of the primitive (e.g. `brgconv:avx512_core`).
    public let implementation: String
    private let execution: DNNL.Execution

    /// The primitive of `pass` for a convolution without bias of `input` (N, C, spatial…) by
    /// `weight` (O, C/groups, kernel…) giving `output`, with `geometry`; its buffers hold no
    /// particular values.
    public init(input: [Int], weight: [Int], output: [Int], geometry: ConvolutionGeometry, pass: Pass) throws {
        execution = try DNNL.bareConvolution(input: input, weight: weight, output: output, geometry: geometry,
                                             backwardData: pass == .backwardData)
        implementation = execution.primitive.implementation
    }

    /// Executes the primitive once and waits for it to finish.
    public func run() throws {
        try execution.run()
    }
}
