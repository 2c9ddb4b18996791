/// The metrics `stexplain evaluate` computes, by the names users type (`--metrics`).
public enum Metric: String, Sendable, CaseIterable, Codable {
    /// Seed 000's masking faithfulness: accuracy with the top / bottom fractions masked, and β.
    case masking
    /// Deletion curve and AUC of the explained class's probability (RISE).
    case deletion
    /// Insertion curve and AUC (RISE).
    case insertion
    /// Pointing game against the ground-truth mask.
    case pointingGame = "pointing-game"
    /// Share of positive relevance on the ground-truth mask.
    case relevanceMass = "relevance-mass"
    /// Share of the |mask| highest positions on the mask.
    case relevanceRank = "relevance-rank"
    /// Share of the k highest positions on the mask.
    case topKIntersection = "top-k-intersection"
    /// IoU of the Otsu-thresholded map with the mask.
    case otsuIoU = "otsu-iou"
    /// Model-parameter randomisation: rank correlation and SSIM of maps before and after.
    case randomisation
    /// Max-sensitivity under uniform input noise.
    case sensitivity

    /// Whether the metric compares with a ground-truth mask.
    public var needsGroundTruth: Bool {
        switch self {
        case .pointingGame, .relevanceMass, .relevanceRank, .topKIntersection, .otsuIoU: true
        default: false
        }
    }
}
