/// What an input tensor holds, which decides how maps are laid out and upsampled (DESIGN §3).
public enum InputKind: Sendable, Equatable, Codable {
    /// `N × C × H × W` images (also PoseNet's stacked frames).
    case image
    /// `N × C × T × H × W` clips.
    case video
    /// `N × C × T × V × M` skeleton sequences (V joints, M persons).
    case skeleton

    /// The map axes of an input shape: (H, W), (T, H, W) or (T, V) — persons are averaged.
    public func mapShape(ofInput shape: [Int]) -> [Int] {
        switch self {
        case .image, .video: Array(shape.dropFirst(2))
        case .skeleton: [shape[2], shape[3]]
        }
    }
}
