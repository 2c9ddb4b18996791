import STCore

/// What LRP does with the relevance reaching one kind of layer (zennit's rules per layer type).
public enum LRPBehaviour: Sendable {
    /// A rule for layers with weights (`LRPRule`): the composite's for convolutions and linear
    /// layers, overridden for the first layer and for named nodes.
    case weighted(any LRPRule)
    /// Relevance passes on unchanged, R_in = R_out (seed 002's R_k = R_j for ReLU; AttnLRP's
    /// identity rule for element-wise non-linearities).
    case passThrough
    /// The op's own backward routes relevance: reshapes, slices and concatenations move it,
    /// max pooling gives it to the winner (winner-takes-all), index selects add up the copies.
    case routed
    /// In proportion to each input's contribution: R_i = x_i·∂z/∂x_i · R / (z + ε·sign z), only
    /// to inputs that depend on the network input.
    case proportional
    /// A rule of its own for this kind of layer (layer norm, LSTM, gated products).
    case layer(any LRPLayerRule)
    /// Relevance must not reach it: LRP throws `STError.unsupported` naming the node.
    case unsupported
}

/// Which ops an entry of an `LRPLayerMap` applies to.
public struct LRPOpMatch: Sendable {
    /// What the entry matches, for messages and documentation (`ReLU`, `max pooling`).
    public let description: String
    let matches: @Sendable (any Op) -> Bool

    /// Ops that pass `matches`, described by `description`.
    public init(_ description: String, matches: @escaping @Sendable (any Op) -> Bool) {
        self.description = description
        self.matches = matches
    }

    /// Every op of one of `kinds`.
    public static func kinds(_ kinds: any Op.Type...) -> LRPOpMatch {
        let identifiers = Set(kinds.map(ObjectIdentifier.init))
        return LRPOpMatch(kinds.map { "\($0)" }.joined(separator: ", ")) { identifiers.contains(ObjectIdentifier(type(of: $0))) }
    }

    /// Max pooling.
    public static let maxPooling = LRPOpMatch("max pooling") { ($0 as? Pooling)?.kind == .max }
    /// Average and adaptive average pooling.
    public static let averagePooling = LRPOpMatch("average pooling") {
        $0 is AdaptiveAveragePool || ($0 as? Pooling).map { $0.kind != .max } == true
    }
}

/// The mapping from op kind to relevance behaviour: entries are tried in order and the first
/// that matches wins; an op no entry matches shares relevance in proportion (`.proportional`:
/// sums, means, average pooling, batch norm, graph aggregation).
public struct LRPLayerMap: Sendable {
    public var entries: [(match: LRPOpMatch, behaviour: LRPBehaviour)]

    public init(_ entries: [(match: LRPOpMatch, behaviour: LRPBehaviour)]) {
        self.entries = entries
    }

    /// The behaviour for `op`.
    public func behaviour(for op: any Op) -> LRPBehaviour {
        entries.first { $0.match.matches(op) }?.behaviour ?? .proportional
    }

    /// The same map with `entry` tried before every other.
    public func prepending(_ match: LRPOpMatch, _ behaviour: LRPBehaviour) -> LRPLayerMap {
        LRPLayerMap([(match, behaviour)] + entries)
    }

    /// The layers without weights every composite shares:
    /// - softmax, sigmoid, hard sigmoid, tanh and reciprocal lie only on gate paths, power,
    ///   square root and erf on normalisation or gate paths, which receive no relevance:
    ///   unsupported;
    /// - LSTMs (`LSTMRelevance`), layer norms (`LayerNormRelevance`), and element-wise and
    ///   matrix products (`SignalTakeAllProduct`: attention weighting and pooling) have rules of
    ///   their own;
    /// - ReLU, leaky ReLU, GELU, hard swish and dropout pass relevance on;
    /// - reshapes, flattening, permutes, slices, concatenation, index select, padding, row
    ///   scatter, masked select, prepended tokens and max pooling route it by their backward (the
    ///   relevance of a learned class token stays there, as a bias's does).
    public static let standard = LRPLayerMap([
        (.kinds(Softmax.self, Sigmoid.self, HardSigmoid.self, Tanh.self, Reciprocal.self, Power.self, Sqrt.self, Erf.self),
         .unsupported),
        (.kinds(LSTM.self), .layer(LSTMRelevance())),
        (.kinds(LayerNorm.self), .layer(LayerNormRelevance())),
        (.kinds(Multiply.self, MatMul.self), .layer(SignalTakeAllProduct())),
        (.kinds(ReLU.self, LeakyReLU.self, GELU.self, HardSwish.self, Dropout.self), .passThrough),
        (.kinds(Reshape.self, Flatten.self, Permute.self, Slice.self, Concat.self, IndexSelect.self, Pad.self,
                ScatterRows.self, Select.self, PrependTokens.self), .routed),
        (.maxPooling, .routed),
    ])
}
