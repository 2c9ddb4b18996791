import STCore

extension NTUSkeleton {
    /// Each distinct body (by ID) with its activity, most active first; bodies of equal activity
    /// keep the order in which they first appear.
    ///
    /// A body's activity is the spread of its joint coordinates over the frames it appears in:
    /// with P the set of (frame, joint) pairs of those frames,
    ///
    ///     activity = σ_x + σ_y + σ_z,   σ_c = sqrt( (1/|P|) Σ_P (c − mean_P c)² )
    ///
    /// (population standard deviations). This is the "energy" of `get_nonzero_std` in the NTU
    /// preparation scripts of 2s-AGCN, MS-G3D and CTR-GCN, which keep the two most energetic
    /// bodies: it is large for a person who moves and small for a static false detection such as a
    /// chair or a coat stand. Pooling all joints, it also counts the body's extent, not only its
    /// motion (a still person scores the spread of their joints). Two differences from those
    /// scripts: bodies are told apart by their tracking ID rather than by their position in each
    /// frame's list, and every body is ranked (the scripts rank only the first four of each frame).
    /// st-gcn's own `read_xyz` keeps the first two bodies of each frame without ranking.
    public func bodiesByActivity() -> [(id: String, activity: Double)] {
        var order: [String] = []
        var joints: [String: [SIMD3<Float>]] = [:]
        for body in frames.joined() {
            if joints[body.id] == nil { order.append(body.id) }
            joints[body.id, default: []] += body.joints
        }
        let activities = order.map { Self.activity(of: joints[$0] ?? []) }
        let ranking = order.indices.sorted { a, b in
            activities[a] != activities[b] ? activities[a] > activities[b] : a < b
        }
        return ranking.map { (id: order[$0], activity: activities[$0]) }
    }

    /// The sequence as an ST-GCN input of shape `(1, 3, length, 25, persons)`, `N × C × T × V × M`:
    /// element `[0, c, t, v, m]` is coordinate `c` (x, y, z) of joint `v` of person `m` in frame `t`.
    ///
    /// Person `m` is the `m`-th body of `bodiesByActivity()` (ranked over the whole file, before
    /// truncation); bodies beyond `persons` are dropped. A person absent from a frame is zeros in
    /// it, and so is a person slot with no body. The first `length` frames are kept; a shorter
    /// sequence is padded with zero frames after its last one, as st-gcn's feeder and the NTU
    /// preparation scripts pad to 300 frames. Frames without bodies stay where they are (zeros).
    /// `length` and `persons` must not be negative (a programmer error).
    public func tensor(frames length: Int, persons: Int = 2) -> Tensor {
        precondition(length >= 0 && persons >= 0, "tensor(frames: \(length), persons: \(persons))")
        let joints = Self.jointCount
        var slots: [String: Int] = [:]
        for (slot, body) in bodiesByActivity().prefix(persons).enumerated() {
            slots[body.id] = slot
        }
        var scalars = [Float](repeating: 0, count: 3 * length * joints * persons)
        for (t, bodies) in frames.prefix(length).enumerated() {
            for body in bodies {
                guard let m = slots[body.id] else { continue }
                for (v, position) in body.joints.enumerated() {
                    for c in 0..<3 {
                        scalars[((c * length + t) * joints + v) * persons + m] = position[c]
                    }
                }
            }
        }
        return Tensor(shape: [1, 3, length, joints, persons], scalars: scalars)
    }

    /// σ_x + σ_y + σ_z over `positions` (0 for none), accumulated in `Double`.
    private static func activity(of positions: [SIMD3<Float>]) -> Double {
        guard !positions.isEmpty else { return 0 }
        let count = Double(positions.count)
        let mean = positions.reduce(SIMD3<Double>.zero) { $0 + SIMD3<Double>($1) } / count
        let squaredDeviations = positions.reduce(SIMD3<Double>.zero) { sum, position in
            let deviation = SIMD3<Double>(position) - mean
            return sum + deviation * deviation
        }
        let deviations = (squaredDeviations / count).squareRoot()
        return deviations.sum()
    }
}
