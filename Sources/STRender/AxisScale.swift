import Foundation

/// A chart axis: its value range and "nice" tick positions (steps of 1, 2 or 5 × 10ᵏ, after
/// Heckbert, "Nice numbers for graph labels", Graphics Gems, 1990).
struct AxisScale: Equatable {
    /// Value at the start (left or bottom) of the axis.
    let lower: Double
    /// Value at the end (right or top) of the axis.
    let upper: Double
    /// Distance between ticks.
    let step: Double
    /// Tick values, multiples of `step` within `lower … upper`.
    let ticks: [Double]
    /// Decimal places that show every tick exactly: `max(0, −⌊log₁₀ step⌋)`.
    let decimals: Int

    /// An axis covering `low … high` with about `tickCount` ticks. Unless `fixed` gives the range,
    /// Heckbert's loose labelling: `range = nice(high − low)`, `step = nice(range/(tickCount − 1))`
    /// rounded to the nearest nice number, and the axis widened outward to multiples of `step`; a
    /// degenerate range is first widened by ±1 (at 0) or ±|v|/2. With `fixed` the ticks are the
    /// multiples of the rounded nice step `(upper − lower)/(tickCount − 1)` inside it.
    init(covering low: Double, _ high: Double, tickCount: Int = 6, fixed: ClosedRange<Double>? = nil) {
        var (low, high) = low.isFinite && high.isFinite ? (min(low, high), max(low, high)) : (0, 1)
        let intervals = Double(max(tickCount - 1, 1))
        let step: Double
        if let fixed, fixed.upperBound > fixed.lowerBound {
            (low, high) = (fixed.lowerBound, fixed.upperBound)
            step = Self.niceNumber((high - low) / intervals, rounding: true)
        } else {
            if high == low {
                let spread = low == 0 ? 1 : abs(low) / 2
                (low, high) = (low - spread, high + spread)
            }
            let range = Self.niceNumber(high - low, rounding: false)
            step = Self.niceNumber(range / intervals, rounding: true)
            // The tolerance keeps 0.6/0.2 = 3.0000000000000004 from adding a step.
            low = (low / step + 1e-9).rounded(.down) * step
            high = (high / step - 1e-9).rounded(.up) * step
        }
        self.lower = low
        self.upper = high
        self.step = step
        let first = Int((low / step - 1e-9).rounded(.up))
        let last = Int((high / step + 1e-9).rounded(.down))
        ticks = first <= last ? (first...last).map { Double($0) * step } : []
        decimals = max(0, -Int(log10(step).rounded(.down)))
    }

    /// `value` with `decimals` decimal places (never "-0").
    func label(_ value: Double) -> String {
        Self.format(value, decimals: decimals)
    }

    /// `value` with the given number of decimal places, with negative zero printed as zero.
    static func format(_ value: Double, decimals: Int) -> String {
        let text = String(format: "%.\(max(decimals, 0))f", value)
        let isZero = text.allSatisfy { "-0.".contains($0) }
        return isZero && text.hasPrefix("-") ? String(text.dropFirst()) : text
    }

    /// Heckbert's nice number near `x > 0`: `f·10ᵏ` with f ∈ {1, 2, 5, 10}; with `rounding` the
    /// nearest (f < 1.5 → 1, < 3 → 2, < 7 → 5, else 10), otherwise the smallest not below `x`.
    static func niceNumber(_ x: Double, rounding: Bool) -> Double {
        guard x > 0, x.isFinite else { return 1 }
        let exponent = log10(x).rounded(.down)
        let power = pow(10, exponent)
        let fraction = x / power
        let nice: Double
        if rounding {
            nice = fraction < 1.5 ? 1 : fraction < 3 ? 2 : fraction < 7 ? 5 : 10
        } else {
            nice = fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 5 ? 5 : 10
        }
        return nice * power
    }

    /// Whether `value` is finite and lies on the axis, within `lower … upper`.
    func contains(_ value: Double) -> Bool {
        value.isFinite && lower <= value && value <= upper
    }

    /// The fraction of the axis length at which `value` lies: 0 at `lower`, 1 at `upper`.
    func fraction(_ value: Double) -> Double {
        (value - lower) / (upper - lower)
    }
}
