import STCore

/// An explanation method, by the name users type (`--method`, DESIGN §6).
public enum Method: String, CaseIterable, Sendable, Codable {
    case cam
    case gradcam
    case gradcamPlusPlus = "gradcam++"
    case xgradcam
    case layercam
    case hirescam
    case saliency
    case guidedBackprop = "guided-backprop"
    case deconvnet
    case guidedGradcam = "guided-gradcam"
    case integratedGradients = "integrated-gradients"
    case smoothgrad
    case occlusion
    case lrp
    case lrpSpatioTemporal = "lrp-st"
    case attentionRollout = "attention-rollout"
    case transformerAttribution = "transformer-attribution"
    case attnlrp

    /// Whether the method's maps carry a sign worth showing (drawn on a diverging colour map):
    /// CAM and HiResCAM without the ReLU, integrated gradients, occlusion and LRP.
    public var isSigned: Bool {
        switch self {
        case .cam, .hirescam, .integratedGradients, .occlusion, .lrp, .lrpSpatioTemporal, .attnlrp: true
        case .gradcam, .gradcamPlusPlus, .xgradcam, .layercam, .saliency, .guidedBackprop, .deconvnet, .guidedGradcam,
             .smoothgrad, .attentionRollout, .transformerAttribution: false
        }
    }

    /// Methods whose `map` has a layer's or a token grid's resolution rather than the input's
    /// (the CAM family, attention rollout, transformer attribution); their `attribution` is the
    /// map upsampled.
    public var hasFeatureResolutionMap: Bool { isCAM || self == .attentionRollout || self == .transformerAttribution }

    /// Methods that weight a layer's activations (their `map` has the layer's resolution).
    public var isCAM: Bool { camWeighting != nil }

    /// The weighting of a CAM-family method; nil for the others.
    public var camWeighting: (any CAMWeighting)? {
        switch self {
        case .cam: CAM()
        case .gradcam: GradCAM()
        case .gradcamPlusPlus: GradCAMPlusPlus()
        case .xgradcam: XGradCAM()
        case .layercam: LayerCAM()
        case .hirescam: HiResCAM()
        default: nil
        }
    }

    /// Parses a method name, or throws listing the valid ones.
    public init(named name: String) throws {
        guard let method = Method(rawValue: name.lowercased()) else {
            throw STError.invalidRequest("unknown method '\(name)'; methods: "
                                         + Method.allCases.map(\.rawValue).joined(separator: ", "))
        }
        self = method
    }
}
