import STCore

/// The objectives behind `Target`s, per sample of an `N × …` output.
extension Objective {
    /// p_c of a softmax over each row's scores; seed ∂p_c/∂y_j = p_c(δ_cj − p_j).
    static func softmaxProbability(_ classes: [Int]) -> Objective {
        @Sendable func probabilities(_ output: Tensor) -> (values: [Float], width: Int) {
            let width = output.shape[1]
            return (Softmax.rows(output.plain().scalars, width: width), width)
        }
        return Objective(values: { output in
            let (p, width) = probabilities(output)
            return classes.enumerated().map { p[$0.offset * width + $0.element] }
        }, seed: { output in
            let (p, width) = probabilities(output)
            var seed = [Float](repeating: 0, count: p.count)
            for (row, c) in classes.enumerated() {
                let pc = p[row * width + c]
                for j in 0..<width { seed[row * width + j] = pc * ((j == c ? 1 : 0) - p[row * width + j]) }
            }
            return Tensor(shape: output.shape, scalars: seed)
        })
    }

    /// Σ_{i∈S} y_i per row, for the flat per-row indices S.
    static func selectedOutputs(_ components: [Int], rows: Int) -> Objective {
        Objective(values: { output in
            let y = output.plain().scalars
            let width = y.count / rows
            return (0..<rows).map { n in components.reduce(0) { $0 + y[n * width + $1] } }
        }, seed: { output in
            let width = output.count / rows
            var seed = [Float](repeating: 0, count: output.count)
            for n in 0..<rows { for i in components { seed[n * width + i] += 1 } }
            return Tensor(shape: output.shape, scalars: seed)
        })
    }

    /// −(1/|S|)·Σ_{i∈S} (y_i − t_i)² per row; seed −(2/|S|)(y_i − t_i) on S.
    static func negativeSquaredError(truth: [Float], components: [Int], width: Int) -> Objective {
        let scale = 1 / Float(components.count)
        return Objective(values: { output in
            let y = output.plain().scalars
            return (0..<(y.count / width)).map { n in
                -scale * components.reduce(0) { sum, i in
                    let d = y[n * width + i] - truth[n * width + i]
                    return sum + d * d
                }
            }
        }, seed: { output in
            let y = output.plain().scalars
            var seed = [Float](repeating: 0, count: y.count)
            for n in 0..<(y.count / width) {
                for i in components { seed[n * width + i] = -2 * scale * (y[n * width + i] - truth[n * width + i]) }
            }
            return Tensor(shape: output.shape, scalars: seed)
        })
    }

    /// a_t of an `N × T` attention node, per row.
    static func attentionWeight(frame: Int, node: String, rows: Int) -> Objective {
        Objective(node: node, values: { weights in
            let a = weights.plain().scalars
            let frames = a.count / rows
            return (0..<rows).map { a[$0 * frames + frame] }
        }, seed: { weights in
            let frames = weights.count / rows
            var seed = [Float](repeating: 0, count: weights.count)
            for n in 0..<rows { seed[n * frames + frame] = 1 }
            return Tensor(shape: weights.shape, scalars: seed)
        })
    }
}
