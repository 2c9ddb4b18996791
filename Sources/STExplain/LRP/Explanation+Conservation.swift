import STCore

extension Explanation {
    /// LRP methods (`lrp`, `lrp-st`, `attnlrp`): per sample, the part of the explained score
    /// that did not reach the input, y_target − Σ R_input — what biases, ε and non-conserving
    /// rules (AttnLRP's softmax rule) absorbed. Nil for the other methods.
    public var relevanceAbsorbed: [Float]? {
        guard method.propagatesRelevance else { return nil }
        let values = attribution.plain().scalars
        let samples = attribution.shape[0]
        let size = values.count / max(samples, 1)
        return (0..<samples).map { n in
            scores[n] - values[(n * size)..<((n + 1) * size)].reduce(0, +)
        }
    }
}

extension Method {
    /// Methods that propagate the score itself back to the input (LRP and its variants), so that
    /// Σ R_input ≈ y_target.
    public var propagatesRelevance: Bool { self == .lrp || self == .lrpSpatioTemporal || self == .attnlrp }
}
