import STCore

/// How a layer's activation rows relate to the input samples, which decides the units CAM
/// weights are computed over and the shape of the map.
///
/// - `.samples`: one row per sample (3D CNNs, image CNNs): weights per sample; map (N, …).
/// - `.persons(M)`: M rows per sample, one per person (ST-GCN's (N·M, C, T′, V)): one set of
///   weights over all persons' positions (seed 000), maps averaged over persons; map (N, T′, V).
/// - `.frames(T)`: T rows per sample, one per frame (a per-frame CNN under an LSTM): weights per
///   frame (seed 001); map (N, T, H′, W′).
struct LayerLayout {
    enum Grouping: Equatable {
        case samples
        case persons(Int)
        case frames(Int)
    }

    let grouping: Grouping
    let samples: Int
    let channels: Int
    /// The activation's axes after the channel axis.
    let rowAxes: [Int]

    init(activation shape: [Int], input: [Int], kind: InputKind, layer: String) throws {
        guard shape.count >= 2 else {
            throw STError.invalidRequest("layer '\(layer)' has no channel axis (output \(shape)); choose a feature layer")
        }
        let samples = input[0]
        let rows = shape[0]
        if rows == samples {
            grouping = .samples
        } else if kind == .skeleton, rows == samples * input[4] {
            grouping = .persons(input[4])
        } else if kind == .video, rows == samples * input[2] {
            grouping = .frames(input[2])
        } else {
            throw STError.invalidRequest("layer '\(layer)' has \(rows) rows for \(samples) input samples; "
                                         + "expected one per sample, per person or per frame")
        }
        self.samples = samples
        channels = shape[1]
        rowAxes = Array(shape.dropFirst(2))
    }

    var positionsPerRow: Int { rowAxes.reduce(1, *) }

    /// (N, rowAxes…) for samples and persons, (N, T, rowAxes…) for frames.
    var mapShape: [Int] {
        if case .frames(let frames) = grouping { return [samples, frames] + rowAxes }
        return [samples] + rowAxes
    }

    /// The map L = weighting(A, g) for every unit, laid out as `mapShape`.
    func map(activations: Tensor, gradients: Tensor, weighting: any CAMWeighting) throws -> Tensor {
        let a = activations.plain().scalars
        let g = gradients.plain().scalars
        let positions = positionsPerRow
        let rowSize = channels * positions
        func features(rows: Range<Int>) -> ChannelFeatures {
            let width = rows.count * positions
            var unitA = [Float](repeating: 0, count: channels * width)
            var unitG = unitA
            for (offset, row) in rows.enumerated() {
                for k in 0..<channels {
                    let source = row * rowSize + k * positions
                    let destination = k * width + offset * positions
                    for p in 0..<positions {
                        unitA[destination + p] = a[source + p]
                        unitG[destination + p] = g[source + p]
                    }
                }
            }
            return ChannelFeatures(channels: channels, positions: width, activations: unitA, gradients: unitG)
        }

        var map: [Float] = []
        map.reserveCapacity(mapShape.reduce(1, *))
        switch grouping {
        case .samples:
            for n in 0..<samples { map += try weighting.map(features(rows: n..<(n + 1))) }
        case .frames(let frames):
            for row in 0..<(samples * frames) { map += try weighting.map(features(rows: row..<(row + 1))) }
        case .persons(let persons):
            for n in 0..<samples {
                let joint = try weighting.map(features(rows: (n * persons)..<((n + 1) * persons)))
                map += (0..<positions).map { p in
                    (0..<persons).reduce(Float(0)) { $0 + joint[$1 * positions + p] } / Float(persons)
                }
            }
        }
        return Tensor(shape: mapShape, scalars: map)
    }
}
