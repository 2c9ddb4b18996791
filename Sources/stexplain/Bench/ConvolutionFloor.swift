import STCore

/// The time a network's convolutions take as bare oneDNN primitives (`BareConvolution`) — no
/// graph, no layout changes, no other layers — measured in this process. Benchmarks state the
/// engine's speed as a ratio to it, which holds across machines whose absolute speeds differ
/// tenfold.
struct ConvolutionFloor {
    /// Sum over the network's convolutions of the median forward time.
    var forwardSeconds: Double
    /// Sum over the network's convolutions of the median backward-data time.
    var backwardDataSeconds: Double
    /// oneDNN's implementation for each convolution, by node name (e.g. `brgconv:avx512_core`).
    var implementations: [(node: String, implementation: String)]

    /// Times every `Convolution` node of `graph` for the given input shapes: the median of `runs`
    /// executions of each primitive after a warm-up.
    static func measure(_ graph: Graph, inputShapes: [String: [Int]], runs: Int) throws -> ConvolutionFloor {
        let shapes = try graph.inferShapes(inputShapes)
        var floor = ConvolutionFloor(forwardSeconds: 0, backwardDataSeconds: 0, implementations: [])
        for node in graph.nodes {
            guard let convolution = node.op as? Convolution else { continue }
            guard let weight = graph.parameters[node.parameterKeys[0]] else {
                throw STError.invalidRequest("missing parameter '\(node.parameterKeys[0])'")
            }
            let (input, output) = (shapes[node.inputs[0]]!, shapes[node.name]!)
            func timed(_ pass: BareConvolution.Pass) throws -> (seconds: Double, implementation: String) {
                let primitive = try BareConvolution(input: input, weight: weight.shape, output: output,
                                                    geometry: convolution.geometry, pass: pass)
                return (try medianSeconds(runs: runs) { try primitive.run() }, primitive.implementation)
            }
            let forward = try timed(.forward)
            floor.forwardSeconds += forward.seconds
            floor.implementations.append((node.name, forward.implementation))
            floor.backwardDataSeconds += try timed(.backwardData).seconds
        }
        return floor
    }
}
