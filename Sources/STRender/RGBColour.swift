/// An 8-bit sRGB colour, the pixel type of `RGBImage`.
public struct RGBColour: Sendable, Hashable {
    /// Red, 0…255.
    public var red: UInt8
    /// Green, 0…255.
    public var green: UInt8
    /// Blue, 0…255.
    public var blue: UInt8

    /// The colour with the given 8-bit components.
    public init(_ red: UInt8, _ green: UInt8, _ blue: UInt8) {
        self.red = red
        self.green = green
        self.blue = blue
    }

    /// The colour with unit-range components (each clamped to `[0, 1]`; NaN reads as 0)
    /// scaled by 255 and rounded to the nearest integer.
    public init(unitRed red: Float, green: Float, blue: Float) {
        self.init(Self.byte(fromUnit: red), Self.byte(fromUnit: green), Self.byte(fromUnit: blue))
    }

    /// `self` laid over `background` with opacity `alpha` ∈ [0, 1] (clamped), per channel
    /// `round(α·self + (1 − α)·background)`.
    public func blended(over background: RGBColour, alpha: Float) -> RGBColour {
        let a = alpha.isNaN ? 0 : min(max(alpha, 0), 1)
        func mix(_ top: UInt8, _ bottom: UInt8) -> UInt8 {
            UInt8((a * Float(top) + (1 - a) * Float(bottom)).rounded())
        }
        return RGBColour(mix(red, background.red), mix(green, background.green), mix(blue, background.blue))
    }

    /// `round(255·v)` for `v` clamped to `[0, 1]`; NaN gives 0.
    static func byte(fromUnit value: Float) -> UInt8 {
        guard !value.isNaN else { return 0 }
        return UInt8((min(max(value, 0), 1) * 255).rounded())
    }

    /// (0, 0, 0).
    public static let black = RGBColour(0, 0, 0)
    /// (255, 255, 255).
    public static let white = RGBColour(255, 255, 255)
    /// (255, 0, 0).
    public static let red = RGBColour(255, 0, 0)
    /// (0, 255, 0).
    public static let green = RGBColour(0, 255, 0)
    /// (0, 0, 255).
    public static let blue = RGBColour(0, 0, 255)
    /// (225, 225, 225), the colour of chart grid lines.
    public static let lightGrey = RGBColour(225, 225, 225)
}
