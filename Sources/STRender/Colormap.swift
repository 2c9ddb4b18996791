/// Maps scalar values to colours for heat maps.
///
/// `jet`, `viridis` and `gray` take values in `[0, 1]` and reproduce matplotlib's colormaps of the
/// same names as matplotlib samples them: a 256-entry table, entry `i` holding the colour at
/// `i/255`, looked up at index `min(⌊256·v⌋, 255)`; components are rounded to the nearest byte.
/// `redWhiteBlue` takes signed values in `[−1, 1]` (seed 002's relevance rendering) and is
/// interpolated continuously so that 0 is exactly white. Values outside the domain are clamped;
/// NaN reads as 0. Raw values (`jet`, `viridis`, `red-white-blue`, `gray`) are the names the CLI uses.
public enum Colormap: String, Sendable, CaseIterable {
    /// matplotlib's `jet`: dark blue → blue → cyan → yellow → red → dark red, piecewise linear.
    case jet
    /// matplotlib's `viridis`: perceptually uniform dark purple → teal → yellow.
    case viridis
    /// Signed: −1 blue (0, 0, 255), 0 white, +1 red (255, 0, 0), linear in between.
    case redWhiteBlue = "red-white-blue"
    /// Black (0) to white (1).
    case gray

    /// The values the colormap spans: `[−1, 1]` for `redWhiteBlue`, `[0, 1]` otherwise.
    public var domain: ClosedRange<Float> {
        self == .redWhiteBlue ? -1...1 : 0...1
    }

    /// Whether the colormap is meant for signed maps (`normalisedSymmetric`) rather than
    /// non-negative ones (`normalisedMinMax`).
    public var isSigned: Bool { self == .redWhiteBlue }

    /// The colour of `value` (clamped to `domain`; NaN reads as 0).
    public func colour(at value: Float) -> RGBColour {
        let v = value.isNaN ? 0 : min(max(value, domain.lowerBound), domain.upperBound)
        switch self {
        case .redWhiteBlue:
            // −1…0: white → blue, (255(1+v), 255(1+v), 255); 0…1: white → red, (255, 255(1−v), 255(1−v)).
            let fade = RGBColour.byte(fromUnit: 1 - abs(v))
            return v < 0 ? RGBColour(fade, fade, 255) : RGBColour(255, fade, fade)
        case .jet: return Self.jetTable[Self.tableIndex(v)]
        case .viridis: return Self.viridisColours[Self.tableIndex(v)]
        case .gray: return Self.grayTable[Self.tableIndex(v)]
        }
    }

    /// The colours of many values; see `colour(at:)`.
    public func colours(at values: [Float]) -> [RGBColour] {
        values.map(colour(at:))
    }

    /// matplotlib's lookup: table index `min(⌊256·v⌋, 255)` for `v` ∈ [0, 1].
    private static func tableIndex(_ v: Float) -> Int {
        min(Int(v * 256), 255)
    }

    private static let jetTable: [RGBColour] = (0..<256).map { jetColour(at: Double($0) / 255) }
    private static let viridisColours: [RGBColour] = (0..<256).map {
        RGBColour(viridisTable[3 * $0], viridisTable[3 * $0 + 1], viridisTable[3 * $0 + 2])
    }
    private static let grayTable: [RGBColour] = (0..<256).map { RGBColour(UInt8($0), UInt8($0), UInt8($0)) }

    /// matplotlib's `_jet_data`: per channel, (position, value) nodes joined by straight lines.
    private static let jetNodes: [[(Double, Double)]] = [
        [(0, 0), (0.35, 0), (0.66, 1), (0.89, 1), (1, 0.5)],                 // red
        [(0, 0), (0.125, 0), (0.375, 1), (0.64, 1), (0.91, 0), (1, 0)],      // green
        [(0, 0.5), (0.11, 1), (0.34, 1), (0.65, 0), (1, 0)],                 // blue
    ]

    /// The jet colour at `position` ∈ [0, 1], interpolated in `Double` and rounded to bytes.
    private static func jetColour(at position: Double) -> RGBColour {
        let channels = jetNodes.map { nodes -> UInt8 in
            let upper = nodes.firstIndex { $0.0 >= position } ?? nodes.count - 1
            let value: Double
            if upper == 0 {
                value = nodes[0].1
            } else {
                let (x0, y0) = nodes[upper - 1]
                let (x1, y1) = nodes[upper]
                value = y0 + (y1 - y0) * (position - x0) / (x1 - x0)
            }
            return UInt8((value * 255).rounded())
        }
        return RGBColour(channels[0], channels[1], channels[2])
    }
}

extension Colormap {
    /// Min–max normalisation for display: `(v − min)/(max − min)` over the finite values.
    /// A constant input (or one with no finite values) gives zeros; non-finite values give 0, so
    /// the result never holds NaN.
    public static func normalisedMinMax(_ values: [Float]) -> [Float] {
        let finite = values.filter(\.isFinite)
        guard let low = finite.min(), let high = finite.max(), high > low else {
            return [Float](repeating: 0, count: values.count)
        }
        let range = high - low
        return values.map { $0.isFinite ? ($0 - low) / range : 0 }
    }

    /// Symmetric normalisation for signed maps: `v / max |v|` over the finite values, so the
    /// result lies in `[−1, 1]` with 0 kept at 0. All-zero input gives zeros; non-finite values give 0.
    public static func normalisedSymmetric(_ values: [Float]) -> [Float] {
        let largest = values.reduce(Float(0)) { $1.isFinite ? max($0, abs($1)) : $0 }
        guard largest > 0 else { return [Float](repeating: 0, count: values.count) }
        return values.map { $0.isFinite ? $0 / largest : 0 }
    }
}
