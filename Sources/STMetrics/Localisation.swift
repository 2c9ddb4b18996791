import STCore

/// How well maps localise a ground-truth object: each metric compares a map with a mask of the
/// same shape, (N, …) — (N, T, H, W) for clips, (N, H, W) for images, (N, T, V) for skeletons —
/// and returns one value per sample in [0, 1], 1 for a map that singles out the mask exactly.
/// A mask value > 0 marks the object. An empty mask scores 0 (there is nothing to find); no
/// metric returns NaN.
public enum Localisation {
    /// Relevance mass accuracy (Arras et al. 2022, "CLEVR-XAI"): the share of the map's
    /// positive relevance that lies on the object, Σ_{mask} R⁺ / Σ R⁺ with R⁺ = max(R, 0), so
    /// negative evidence neither helps nor hurts. 0 when the map has no positive value.
    public static func relevanceMassAccuracy(maps: Tensor, masks: Tensor) throws -> [Double] {
        try perSample("relevance mass accuracy", maps: maps, masks: masks) { map, mask in
            var (inside, total) = (0.0, 0.0)
            for (value, isObject) in zip(map, mask) where value > 0 {
                total += Double(value)
                if isObject { inside += Double(value) }
            }
            return total > 0 ? inside / total : 0
        }
    }

    /// Relevance rank accuracy (Arras et al. 2022): with K the number of mask positions,
    /// the fraction of the map's K highest positions (ties to the lower index) on the object.
    public static func relevanceRankAccuracy(maps: Tensor, masks: Tensor) throws -> [Double] {
        try perSample("relevance rank accuracy", maps: maps, masks: masks) { map, mask in
            let size = mask.filter { $0 }.count
            return try fractionOnObject(ofTop: size, of: map, mask: mask)
        }
    }

    /// Top-k intersection (Theiner et al. 2021, as in Quantus): the fraction of the map's k
    /// highest positions (ties to the lower index) on the object. Throws unless 1 ≤ k ≤ the
    /// positions per sample.
    public static func topKIntersection(maps: Tensor, masks: Tensor, k: Int) throws -> [Double] {
        try perSample("top-k intersection", maps: maps, masks: masks) { map, mask in
            guard (1...map.count).contains(k) else {
                throw STError.invalidRequest("top-k intersection needs 1 ≤ k ≤ \(map.count) for maps \(maps.shape); got k = \(k)")
            }
            return try fractionOnObject(ofTop: k, of: map, mask: mask)
        }
    }

    /// Intersection over union of the map's Otsu foreground (values above `Otsu.threshold` of the
    /// sample's map, 256 bins) with the mask: |F ∩ M| / |F ∪ M|, 0 when both are empty. A
    /// constant map has an empty foreground.
    public static func otsuIntersectionOverUnion(maps: Tensor, masks: Tensor) throws -> [Double] {
        try perSample("Otsu IoU", maps: maps, masks: masks) { map, mask in
            let threshold = try Otsu.threshold(map)
            var (intersection, union) = (0, 0)
            for (value, isObject) in zip(map, mask) {
                let isForeground = value > threshold
                if isForeground && isObject { intersection += 1 }
                if isForeground || isObject { union += 1 }
            }
            return union > 0 ? Double(intersection) / Double(union) : 0
        }
    }

    /// The mean of per-sample values. Throws for no values.
    public static func mean(_ values: [Double]) throws -> Double {
        guard !values.isEmpty else {
            throw STError.invalidRequest("the mean of no samples is undefined")
        }
        return values.reduce(0, +) / Double(values.count)
    }

    /// The fraction of the `count` highest map positions that lie on the object; 0 for count 0.
    private static func fractionOnObject(ofTop count: Int, of map: [Float], mask: [Bool]) throws -> Double {
        guard count > 0 else { return 0 }
        let top = try MaskingSide.important.ranking(of: map).prefix(count)
        return Double(top.filter { mask[$0] }.count) / Double(count)
    }

    /// Applies `metric` to each sample's map and mask (mask as position-on-object flags).
    private static func perSample(_ name: String, maps: Tensor, masks: Tensor,
                                  _ metric: ([Float], [Bool]) throws -> Double) throws -> [Double] {
        guard maps.shape == masks.shape, maps.rank >= 2, maps.count > 0 else {
            throw STError.invalidRequest("\(name) needs maps and masks of one non-empty shape (N, …); "
                                         + "got \(maps.shape) and \(masks.shape)")
        }
        let size = maps.count / maps.shape[0]
        let (values, flags) = (maps.plain().scalars, masks.plain().scalars.map { $0 > 0 })
        return try (0..<maps.shape[0]).map { n in
            let range = (n * size)..<((n + 1) * size)
            return try metric(Array(values[range]), Array(flags[range]))
        }
    }
}
