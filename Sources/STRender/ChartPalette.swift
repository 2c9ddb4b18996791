/// Series colours for charts: matplotlib's `tab10` qualitative palette (Tableau 10).
public enum ChartPalette {
    /// `#1f77b4 #ff7f0e #2ca02c #d62728 #9467bd #8c564b #e377c2 #7f7f7f #bcbd22 #17becf`.
    public static let tab10: [RGBColour] = [
        RGBColour(31, 119, 180), RGBColour(255, 127, 14), RGBColour(44, 160, 44), RGBColour(214, 39, 40),
        RGBColour(148, 103, 189), RGBColour(140, 86, 75), RGBColour(227, 119, 194), RGBColour(127, 127, 127),
        RGBColour(188, 189, 34), RGBColour(23, 190, 207),
    ]

    /// The colour of series number `index` (0-based), cycling through `tab10`.
    public static func colour(_ index: Int) -> RGBColour {
        tab10[((index % tab10.count) + tab10.count) % tab10.count]
    }
}
