/// PNG filter method 0 (PNG specification §9): each scanline is stored as one filter-type byte
/// followed by the row's bytes transformed by that filter, using `a` (the byte one pixel to the
/// left), `b` (the byte above) and `c` (the byte above-left), all 0 outside the image.
enum PNGScanlineFilter {
    /// Every row with filter type 0 (None): `0, row bytes…` — `height·(1 + width·channels)` bytes.
    static func unfiltered(_ samples: [UInt8], width: Int, height: Int, channels: Int) -> [UInt8] {
        let rowBytes = width * channels
        var output: [UInt8] = []
        output.reserveCapacity(height * (rowBytes + 1))
        for row in 0..<height {
            output.append(0)
            output += samples[(row * rowBytes)..<((row + 1) * rowBytes)]
        }
        return output
    }

    /// Every row with the filter (0 None, 1 Sub `x − a`, 2 Up `x − b`, 3 Average `x − ⌊(a + b)/2⌋`,
    /// 4 Paeth `x − paeth(a, b, c)`, all mod 256) whose output has the smallest sum of absolute
    /// values when read as signed bytes.
    static func adaptive(_ samples: [UInt8], width: Int, height: Int, channels: Int) -> [UInt8] {
        let rowBytes = width * channels
        var output: [UInt8] = []
        output.reserveCapacity(height * (rowBytes + 1))
        var candidates = [[UInt8]](repeating: [UInt8](repeating: 0, count: rowBytes), count: 5)
        for row in 0..<height {
            let start = row * rowBytes
            for i in 0..<rowBytes {
                let x = samples[start + i]
                let a = i >= channels ? samples[start + i - channels] : 0
                let b = row > 0 ? samples[start - rowBytes + i] : 0
                let c = row > 0 && i >= channels ? samples[start - rowBytes + i - channels] : 0
                candidates[0][i] = x
                candidates[1][i] = x &- a
                candidates[2][i] = x &- b
                candidates[3][i] = x &- UInt8((Int(a) + Int(b)) / 2)
                candidates[4][i] = x &- paethPredictor(a, b, c)
            }
            let costs = candidates.map { $0.reduce(0) { $0 + abs(Int(Int8(bitPattern: $1))) } }
            let best = costs.indices.min { costs[$0] < costs[$1] } ?? 0
            output.append(UInt8(best))
            output += candidates[best]
        }
        return output
    }

    /// The Paeth predictor (§9.4): of `a`, `b`, `c`, the one closest to `a + b − c`, ties in that order.
    static func paethPredictor(_ a: UInt8, _ b: UInt8, _ c: UInt8) -> UInt8 {
        let estimate = Int(a) + Int(b) - Int(c)
        let distanceA = abs(estimate - Int(a))
        let distanceB = abs(estimate - Int(b))
        let distanceC = abs(estimate - Int(c))
        if distanceA <= distanceB && distanceA <= distanceC { return a }
        return distanceB <= distanceC ? b : c
    }
}
