import STCore

/// Skeleton sequences stored as plain arrays (`.npy`, read with `NPY`), brought to the ST-GCN
/// layout `N × C × T × V × M` (batch, coordinate channels, frames, joints, persons).
///
/// Three layouts are accepted, named by `Layout` or told apart by their rank:
/// - `(T, V, C)`, one person's sequence (what pose estimators write per clip) becomes
///   `(1, C, T, V, 1)`: element `[t, v, c]` moves to `[0, c, t, v, 0]`;
/// - `(C, T, V, M)`, one sample of an st-gcn / 2s-AGCN data file, becomes `(1, C, T, V, M)`;
/// - `(N, C, T, V, M)` is kept as it is.
///
/// The joint axis V must have the length the model expects (25 for NTU RGB+D, 18 for OpenPose).
/// C is not checked (3 for NTU's `x, y, z` and for Kinetics-skeleton's `x, y, score`, 2 for 2-D poses).
public enum SkeletonArray {
    /// The axis order of a stored skeleton array.
    public enum Layout: String, CaseIterable, Sendable, CustomStringConvertible {
        /// Frames, joints, channels: one person.
        case tvc = "TVC"
        /// Channels, frames, joints, persons: one sample.
        case ctvm = "CTVM"
        /// Samples, channels, frames, joints, persons: ST-GCN's input layout.
        case nctvm = "NCTVM"

        /// The layout of an array of `rank` axes, if one has that many.
        public init?(rank: Int) {
            guard let layout = Self.allCases.first(where: { $0.rank == rank }) else { return nil }
            self = layout
        }

        /// Number of axes.
        public var rank: Int { rawValue.count }

        /// Position of the joint axis V.
        var jointAxis: Int {
            switch self {
            case .tvc: return 1
            case .ctvm: return 2
            case .nctvm: return 3
            }
        }

        /// The axes as a tuple, `(T, V, C)`.
        public var description: String { "(" + rawValue.map(String.init).joined(separator: ", ") + ")" }
    }

    /// Reads the `.npy` file at `path` and brings it to `N × C × T × V × M`; see
    /// `tensor(from:layout:joints:source:)`.
    ///
    /// Throws `STError.badInput(file: path, reason:)` for a missing or malformed file (see
    /// `NPY.read(path:)`) or an array that does not fit the layout.
    public static func read(path: String, layout: Layout? = nil, joints: Int) throws -> Tensor {
        try tensor(from: NPY.read(path: path), layout: layout, joints: joints, source: path)
    }

    /// `array`, stored in `layout` (by default the one its rank implies), as an `N × C × T × V × M`
    /// tensor; `source` names it in errors.
    ///
    /// Throws `STError.badInput(file: source, reason:)` when the rank fits no layout ("expected a
    /// (T, V, C), (C, T, V, M) or (N, C, T, V, M) array, got shape [2, 3]"), does not fit the
    /// given one, or the joint axis is not `joints` long ("expected 25 joints, got 18 …").
    public static func tensor(from array: Tensor, layout: Layout? = nil, joints: Int, source: String) throws -> Tensor {
        guard let layout = layout ?? Layout(rank: array.rank) else {
            throw STError.badInput(file: source, reason: "expected a \(Layout.tvc), \(Layout.ctvm) or \(Layout.nctvm) "
                                   + "skeleton array, got shape \(array.shape)")
        }
        guard array.rank == layout.rank else {
            throw STError.badInput(file: source, reason: "a \(layout) skeleton array has \(layout.rank) axes, "
                                   + "got shape \(array.shape)")
        }
        let jointCount = array.shape[layout.jointAxis]
        guard jointCount == joints else {
            throw STError.badInput(file: source, reason: "expected \(joints) joints, got \(jointCount) (axis V of the "
                                   + "\(layout) array of shape \(array.shape))")
        }
        switch layout {
        case .nctvm: return array
        case .ctvm: return array.reshaped([1] + array.shape)
        case .tvc: return channelsFirst(array)
        }
    }

    /// A `(T, V, C)` array as `(1, C, T, V, 1)`: the channel axis moved to the front.
    private static func channelsFirst(_ array: Tensor) -> Tensor {
        let (frames, joints, channels) = (array.shape[0], array.shape[1], array.shape[2])
        let values = array.scalars
        // An empty array's other axes can still be huge (a 128-byte .npy may declare 10¹⁵
        // frames of 0 channels): return before the loops walk them.
        guard !values.isEmpty else { return Tensor(shape: [1, channels, frames, joints, 1], scalars: []) }
        var moved = [Float](repeating: 0, count: values.count)
        for t in 0..<frames {
            for v in 0..<joints {
                for c in 0..<channels {
                    moved[(c * frames + t) * joints + v] = values[(t * joints + v) * channels + c]
                }
            }
        }
        return Tensor(shape: [1, channels, frames, joints, 1], scalars: moved)
    }
}
