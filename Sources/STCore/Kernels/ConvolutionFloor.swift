/// The time a network's convolutions take as bare oneDNN primitives — no graph, no layout
/// changes, no other layers — measured in this process. Benchmarks state the engine's speed as a
/// ratio to it, which holds across machines whose absolute speeds differ tenfold.
public struct ConvolutionFloor: Sendable {
    /// Sum over the network's convolutions of the median forward time.
    public let forwardSeconds: Double
    /// Sum over the network's convolutions of the median backward-data time.
    public let backwardDataSeconds: Double
    /// oneDNN's implementation for each convolution, by node name (e.g. `brgconv:avx512_core`).
    public let implementations: [(node: String, implementation: String)]

    /// Times every `Convolution` node of `graph` for the given input shapes, `runs` executions each.
    public static func measure(_ graph: Graph, inputShapes: [String: [Int]], runs: Int) throws -> ConvolutionFloor {
        let shapes = try graph.inferShapes(inputShapes)
        var forward = 0.0, backward = 0.0
        var implementations: [(String, String)] = []
        for node in graph.nodes {
            guard let conv = node.op as? Convolution else { continue }
            let weight = try graph.state(node.parameterKeys[0]).shape
            let timing = try DNNL.timeBareConvolution(input: shapes[node.inputs[0]]!, weight: weight,
                                                      output: shapes[node.name]!, geometry: conv.geometry, runs: runs)
            forward += timing.forward
            backward += timing.backwardData
            implementations.append((node.name, timing.implementation))
        }
        return ConvolutionFloor(forwardSeconds: forward, backwardDataSeconds: backward, implementations: implementations)
    }

    /// Threads oneDNN runs with (`STEXPLAIN_THREADS`, default all cores).
    public static var threadCount: Int { ComputeThreads.count }
}

/// The threads the engine computes with: oneDNN's, and the chunks of the element-wise loops
/// written in Swift (`STEXPLAIN_THREADS`, default all cores).
public enum ComputeThreads {
    public static var count: Int { DNNL.threadCount }
}
