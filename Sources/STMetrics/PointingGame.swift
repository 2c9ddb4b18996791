import STCore

/// The pointing game (Zhang et al. 2016, "Top-down neural attention by excitation backprop"): a
/// hit when the maximum of a map falls on the ground-truth object, optionally within a tolerance.
///
/// Maps and masks share their axes: (N, T, H, W) for clips, (N, H, W) for images, (N, T, V) for
/// skeletons. A mask value > 0 marks the object. With `tolerance` r > 0 a maximum also hits when
/// a mask element lies within Chebyshev distance r of it along the last two axes, in the same
/// frame (TorchRay uses 15 pixels on 224-pixel images). Ties take the first maximum in row-major order.
public enum PointingGame {
    /// Per sample, whether the map's maximum hits the mask.
    public static func hits(maps: Tensor, masks: Tensor, tolerance: Int = 0) throws -> [Bool] {
        guard maps.shape == masks.shape, maps.rank >= 3 else {
            throw STError.invalidRequest("pointing game needs maps and masks of one shape (N, …, H, W); got \(maps.shape) and \(masks.shape)")
        }
        let size = maps.count / maps.shape[0]
        let (height, width) = (maps.shape[maps.rank - 2], maps.shape[maps.rank - 1])
        let values = maps.plain().scalars
        let mask = masks.plain().scalars
        return (0..<maps.shape[0]).map { n in
            let base = n * size
            var best = base
            for i in base..<(base + size) where values[i] > values[best] { best = i }
            let offset = best - base
            let frame = offset / (height * width)
            let (y, x) = ((offset / width) % height, offset % width)
            for dy in -tolerance...tolerance where (0..<height).contains(y + dy) {
                for dx in -tolerance...tolerance where (0..<width).contains(x + dx) {
                    if mask[base + (frame * height + y + dy) * width + x + dx] > 0 { return true }
                }
            }
            return false
        }
    }

    /// The fraction of samples whose maximum hits.
    public static func accuracy(maps: Tensor, masks: Tensor, tolerance: Int = 0) throws -> Double {
        let hits = try hits(maps: maps, masks: masks, tolerance: tolerance)
        return Double(hits.filter { $0 }.count) / Double(hits.count)
    }
}
