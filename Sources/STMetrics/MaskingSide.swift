import STCore

/// Which end of an explanation's ranking a masking experiment removes: the positions it scores
/// highest (`important`) or lowest (`nonImportant`), as in seed 000's faithfulness test.
public enum MaskingSide: String, Sendable, CaseIterable {
    case important
    case nonImportant = "non-important"

    /// Every index of `scores`, the ones this side masks first: descending scores for `important`,
    /// ascending for `nonImportant`; equal scores keep the lower index first, so the order is
    /// deterministic. Throws when a score is NaN (it has no place in the order).
    public func ranking(of scores: [Float]) throws -> [Int] {
        guard !scores.contains(where: \.isNaN) else {
            throw STError.invalidRequest("cannot rank \(scores.count) scores that contain NaN")
        }
        let descending = self == .important
        return scores.indices.sorted { a, b in
            scores[a] == scores[b] ? a < b : (scores[a] > scores[b]) == descending
        }
    }
}
