import STCore

/// Model-parameter randomisation for the sanity check of Adebayo et al. 2018 ("Sanity checks
/// for saliency maps"): an explanation that survives randomising the weights does not explain
/// what the model learned.
///
/// The randomised layers are the nodes holding a weight of rank ≥ 2 (convolutions, linear and
/// graph-convolution layers, LSTMs); batch norms keep their statistics. Each parameter tensor
/// `w` of a randomised node is replaced by draws from N(0, σ_w²), with σ_w the standard deviation
/// of the trained tensor, so activations keep their scale (Adebayo et al. re-run the layer's
/// initialiser; the scale-matched Gaussian needs no knowledge of it). A tensor with σ_w = 0
/// (e.g. a zero bias) stays as it is.
public enum ParameterRandomisation {
    /// How layers are randomised from step to step.
    public enum Mode: String, Sendable, CaseIterable {
        /// Step k randomises the k layers closest to the output (top-down, cumulative).
        case cascading
        /// Step k randomises layer k alone (top-down order), everything else trained.
        case independent
    }

    /// The randomisable layers of `graph`, the one nearest the output first.
    public static func layers(of graph: Graph) -> [String] {
        graph.nodes.reversed().filter { node in
            node.parameterKeys.contains { graph.parameters[$0].map { $0.rank >= 2 } ?? false }
        }.map(\.name)
    }

    /// The sets of layers randomised at each step of `mode`, over `layers` in top-down order.
    public static func steps(_ mode: Mode, layers: [String]) -> [[String]] {
        switch mode {
        case .cascading: layers.indices.map { Array(layers[...$0]) }
        case .independent: layers.map { [$0] }
        }
    }

    /// `graph` with the parameters of `layers` redrawn from scale-matched Gaussians; the same
    /// seed and layer always give the same draws, whatever else is randomised with it.
    /// - Throws: `STError.unknownNode` for a name that is not a node of `graph`.
    public static func randomised(_ graph: Graph, layers: [String], seed: UInt64) throws -> Graph {
        var result = graph
        for layer in layers {
            let node = try graph.node(named: layer)
            for (offset, key) in node.parameterKeys.enumerated() {
                guard let trained = graph.parameters[key] else { continue }
                let std = standardDeviation(trained.scalars)
                guard std > 0 else { continue }
                let stream = seed &+ UInt64(truncatingIfNeeded: stableHash(layer)) &+ UInt64(offset)
                result.parameters[key] = Tensor.randomNormal(shape: trained.shape, std: std, seed: stream)
            }
        }
        return result
    }

    /// Population standard deviation, √(mean(w²) − mean(w)²), accumulated in Double.
    static func standardDeviation(_ values: [Float]) -> Float {
        guard !values.isEmpty else { return 0 }
        var sum = 0.0, squares = 0.0
        for value in values {
            sum += Double(value)
            squares += Double(value) * Double(value)
        }
        let mean = sum / Double(values.count)
        return Float(max(squares / Double(values.count) - mean * mean, 0).squareRoot())
    }

    /// FNV-1a of the name's UTF-8 bytes: a per-layer seed offset that does not change between
    /// runs (Swift's `hashValue` is randomised per process).
    static func stableHash(_ name: String) -> UInt64 {
        name.utf8.reduce(0xcbf2_9ce4_8422_2325) { ($0 ^ UInt64($1)) &* 0x100_0000_01b3 }
    }
}
