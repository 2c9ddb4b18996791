import ArgumentParser
import STCore
import STExplain

/// `explain`'s settings of the methods that have any, turned into each method's explainer (as
/// Captum's keyword arguments: `IntegratedGradientsExplainer(steps:integration:baseline:)`, …).
struct MethodSettings: ParsableArguments {
    @Option(help: "Integrated gradients: path points.")
    var steps = 50

    @Option(help: "Integrated gradients: quadrature.")
    var integration = PathIntegration.gaussLegendre

    @Option(help: "SmoothGrad: noisy copies.")
    var noiseSamples = 25

    @Option(help: "SmoothGrad: noise σ as a fraction of the input's range.")
    var noiseLevel: Float = 0.15

    @Option(help: "SmoothGrad: noise seed.")
    var seed: UInt64 = 0

    @Option(help: "Integrated gradients and occlusion: baseline value.")
    var baseline: Float = 0

    @Option(help: "Occlusion window over (T,H,W), (H,W) or (T,V), comma-separated.")
    var window: String?

    @Option(help: "Occlusion stride (default: the window).")
    var stride: String?

    @Option(help: "Occlusion of skeletons by joint sets over all frames, e.g. '8,9,10,11;4,5,6,7' (joint indices).")
    var jointGroups: String?

    @Option(help: "LRP composite or rule.")
    var composite = LRPComposite.registry[0]

    @Flag(help: "LRP through average pooling: R/N to every input (seed 002) instead of in proportion to them.")
    var uniformAveragePooling = false

    @Option(help: "Attention rollout: how a block's heads are fused.")
    var headFusion = HeadFusion.mean

    @Option(help: "Attention rollout: the fraction of each fused attention map's lowest weights dropped.")
    var discardRatio: Float = 0

    @Option(help: "deep-taylor and epsilon-gamma-box: the input's box 'low,high' for zβ (default: each channel's minimum and maximum over the input).")
    var bounds: String?

    func validate() throws {
        _ = try windowSizes()
        _ = try strideSizes()
        _ = try groups()
        _ = try box()
        guard (0..<1).contains(discardRatio) else {
            throw ValidationError("--discard-ratio takes a fraction in [0, 1), got \(discardRatio)")
        }
    }

    /// The explainer of `method` with these settings, `layer` for the CAM family and guided
    /// Grad-CAM, `batching` for the methods that run many copies; `input` gives zβ its box when
    /// `--bounds` does not.
    func explainer(for method: Method, layer: String?, input: Tensor, batching: Batching) throws -> any Explainer {
        switch method {
        case .cam, .gradcam, .gradcamPlusPlus, .xgradcam, .layercam, .hirescam, .saliency, .guidedBackprop, .deconvnet,
             .guidedGradcam, .transformerAttribution, .attnlrp:
            return method.explainer(layer: layer, batching: batching)
        case .integratedGradients:
            return IntegratedGradientsExplainer(steps: steps, integration: integration, baseline: baseline, batching: batching)
        case .smoothgrad:
            return SmoothGradExplainer(samples: noiseSamples, noiseLevel: noiseLevel, seed: seed, batching: batching)
        case .occlusion:
            return OcclusionExplainer(window: try windowSizes(), stride: try strideSizes(), jointGroups: try groups(),
                                      baseline: baseline, batching: batching)
        case .lrp: return LRPExplainer(composite: try rules(for: input))
        case .lrpSpatioTemporal: return SpatioTemporalLRPExplainer(composite: try rules(for: input), batching: batching)
        case .attentionRollout: return AttentionRolloutExplainer(headFusion: headFusion, discardRatio: discardRatio)
        }
    }

    /// The options as a run's resume record keeps them.
    var resumeKey: [String: String] {
        ["--steps": "\(steps)", "--integration": integration.rawValue, "--noise-samples": "\(noiseSamples)",
         "--noise-level": "\(noiseLevel)", "--seed": "\(seed)", "--baseline": "\(baseline)", "--window": window ?? "",
         "--stride": stride ?? "", "--joint-groups": jointGroups ?? "", "--composite": composite.name,
         "--uniform-average-pooling": "\(uniformAveragePooling)", "--bounds": bounds ?? "",
         "--head-fusion": headFusion.rawValue, "--discard-ratio": "\(discardRatio)"]
    }

    private func rules(for input: Tensor) throws -> LRPComposite {
        let rules = try LRPComposite.named(composite.name, bounds: try box() ?? Self.channelRanges(input))
        return uniformAveragePooling ? rules.averagingUniformly() : rules
    }

    /// zβ's box: `--bounds low,high`.
    private func box() throws -> (low: [Float], high: [Float])? {
        guard let bounds else { return nil }
        guard let values = CommaSeparated.values(bounds, as: Float.self), values.count == 2, values[0] < values[1] else {
            throw ValidationError("--bounds takes 'low,high' with low < high, got '\(bounds)'")
        }
        return ([values[0]], [values[1]])
    }

    /// Each channel's minimum and maximum over `tensor` (N, C, …).
    private static func channelRanges(_ tensor: Tensor) -> (low: [Float], high: [Float]) {
        let (channels, inner) = (tensor.shape[1], tensor.shape.dropFirst(2).reduce(1, *))
        var low = [Float](repeating: .infinity, count: channels), high = [Float](repeating: -.infinity, count: channels)
        for (index, value) in tensor.scalars.enumerated() {
            let c = (index / inner) % channels
            low[c] = min(low[c], value)
            high[c] = max(high[c], value)
        }
        return (low, high)
    }

    private func windowSizes() throws -> [Int]? { try window.map { try Self.sizes($0, option: "--window") } }
    private func strideSizes() throws -> [Int]? { try stride.map { try Self.sizes($0, option: "--stride") } }

    private func groups() throws -> [[Int]]? {
        try jointGroups.map { text in
            try text.split(separator: ";").map { try Self.indices(String($0), option: "--joint-groups") }
        }
    }

    private static func sizes(_ text: String, option: String) throws -> [Int] {
        let values = try indices(text, option: option)
        guard values.allSatisfy({ $0 >= 1 }) else {
            throw ValidationError("\(option) takes positive integers separated by commas, got '\(text)'")
        }
        return values
    }

    private static func indices(_ text: String, option: String) throws -> [Int] {
        guard let values = CommaSeparated.values(text, as: Int.self), !values.isEmpty, values.allSatisfy({ $0 >= 0 }) else {
            throw ValidationError("\(option) takes integers separated by commas, got '\(text)'")
        }
        return values
    }
}
