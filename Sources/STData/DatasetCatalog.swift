import STCore

/// The built-in synthetic datasets by the names the command line uses, at their default sizes.
public enum DatasetCatalog {
    /// `moving-shapes` (8 classes, 3×16×32×32 clips with voxel masks), `arrow-of-time` (forward vs
    /// reversed MovingShapes clips), `skeleton-actions` (NTU-layout skeletons, 3×32×25×2, with the
    /// defining joints), `visual-odometry` (9×64×208 frame triplets with 2×6 relative poses).
    public static let names = ["moving-shapes", "arrow-of-time", "skeleton-actions", "visual-odometry"]

    /// `count` samples of the named dataset's `split`, reproducible from `seed`.
    public static func dataset(_ name: String, split: Split, count: Int, seed: UInt64) throws -> any LabeledDataset {
        switch name {
        case "moving-shapes":
            return try MovingShapes(split: split, count: count, seed: seed)
        case "arrow-of-time":
            return try ArrowOfTime(split: split, clips: (count + 1) / 2, seed: seed)
        case "skeleton-actions":
            return try SkeletonActions(split: split, count: count, seed: seed)
        case "visual-odometry":
            return try VisualOdometry(split: split, count: count, seed: seed)
        default:
            throw STError.invalidRequest("unknown dataset '\(name)'; built-in datasets: \(names.joined(separator: ", "))")
        }
    }
}
