import Foundation
import STCore

/// Sine–cosine codes of token positions on a grid (Vaswani et al. 2017, "Attention Is All You
/// Need", §3.5, with each grid axis coded separately as MAE and VideoMAE code 2-D and 3-D grids).
///
/// The D channels form D/2 pairs (an odd last channel stays 0); pair j codes axis a = j mod r of
/// the r grid axes at the k-th of that axis's K_a frequencies, k = ⌊j/r⌋, ω = 10000^(−k/K_a):
///
///     code[2j] = sin(p_a·ω),   code[2j + 1] = cos(p_a·ω)     (p_a the token's index along axis a)
///
/// Rows follow the grid in row-major order after `leadingRows` rows of zeros (class tokens).
enum SinusoidalPositions {
    /// (1, leadingRows + Π grid, width) codes.
    static func codes(grid: [Int], width: Int, leadingRows: Int) -> Tensor {
        let rank = grid.count, pairs = width / 2
        let frequencies = (0..<rank).map { axis in pairs / rank + (axis < pairs % rank ? 1 : 0) }
        let cells = grid.reduce(1, *)
        var values = [Float](repeating: 0, count: (leadingRows + cells) * width)
        for cell in 0..<cells {
            var remainder = cell, position = [Int](repeating: 0, count: rank)
            for axis in (0..<rank).reversed() {
                position[axis] = remainder % grid[axis]
                remainder /= grid[axis]
            }
            let row = (leadingRows + cell) * width
            for pair in 0..<pairs {
                let axis = pair % rank, k = pair / rank
                let angle = Double(position[axis]) * pow(10_000, -Double(k) / Double(frequencies[axis]))
                values[row + 2 * pair] = Float(sin(angle))
                values[row + 2 * pair + 1] = Float(cos(angle))
            }
        }
        return Tensor(shape: [1, leadingRows + cells, width], scalars: values)
    }
}
