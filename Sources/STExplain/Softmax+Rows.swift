import Foundation
import STCore

extension Softmax {
    /// Row-wise softmax of a small `rows × width` score matrix, exp(y_j − max)/Σ exp(y_k − max):
    /// class probabilities for top-k lists, targets and metrics (the engine's kernel is for graph
    /// nodes).
    public static func rows(_ scores: [Float], width: Int) -> [Float] {
        var probabilities = scores
        for start in stride(from: 0, to: scores.count, by: width) {
            let row = scores[start..<(start + width)]
            let largest = row.max() ?? 0
            let exponentials = row.map { Foundation.exp($0 - largest) }
            let total = exponentials.reduce(0, +)
            for (j, e) in exponentials.enumerated() { probabilities[start + j] = e / total }
        }
        return probabilities
    }
}
