/// Suggestions for a mistyped name: the candidates closest in edit distance.
enum NearestNames {
    /// The `count` candidates with the smallest Levenshtein distance to `name` (ties by name).
    static func nearest(to name: String, among candidates: [String], count: Int) -> [String] {
        let target = Array(name)
        return Set(candidates)
            .map { (name: $0, distance: distance(target, Array($0))) }
            .sorted { ($0.distance, $0.name) < ($1.distance, $1.name) }
            .prefix(count)
            .map(\.name)
    }

    /// Levenshtein distance (insertions, deletions, substitutions each cost 1).
    static func distance(_ a: [Character], _ b: [Character]) -> Int {
        var previous = Array(0...b.count)
        for (i, x) in a.enumerated() {
            var current = [i + 1] + Array(repeating: 0, count: b.count)
            for (j, y) in b.enumerated() {
                current[j + 1] = min(previous[j + 1] + 1, current[j] + 1, previous[j] + (x == y ? 0 : 1))
            }
            previous = current
        }
        return previous[b.count]
    }
}
