import STCore

/// Per-frame attention weights as a bar chart titled "Temporal attention": one bar per frame
/// t = 0 … T−1, left to right, its height the weight, on a vertical axis that starts at 0 (or
/// below, for negative weights).
///
/// Frames are numbered under their bars when every number fits in its slot — estimated against
/// 80 % of the chart's width, a bound on the plot's width for ordinary tick labels; otherwise the
/// axis title gives the range, "frame 0–T−1", and only the bars' tooltips name their frames.
public enum AttentionChart {
    /// The chart of `weights` (one per frame) as an SVG document of `width × height`.
    ///
    /// - Throws: `STError.badInput` when `weights` is empty or holds a non-finite value, or the
    ///   chart is too small for its labels.
    public static func svg(weights: [Float], width: Double = 720, height: Double = 480) throws -> String {
        guard !weights.isEmpty else {
            throw STError.badInput(file: "temporal attention", reason: "no frame weights to chart")
        }
        if let frame = weights.firstIndex(where: { !$0.isFinite }) {
            throw STError.badInput(file: "temporal attention", reason: "frame \(frame) has weight \(weights[frame])")
        }
        let frames = weights.count
        var chart = BarChart(title: "Temporal attention", xLabel: "frame", yLabel: "weight",
                             categories: (0..<frames).map(String.init),
                             series: [.init(name: "attention", values: weights.map(Double.init))])
        chart.width = width
        chart.height = height
        chart.showsValueLabels = false
        let slotWidth = 0.8 * width / Double(frames)
        let widestNumber = ChartFrame.estimatedWidth(String(frames - 1), fontSize: chart.fontSize)
        if widestNumber > slotWidth - chart.fontSize / 2 {  // BarChart keeps a gap of f/2 between labels
            chart.showsCategoryLabels = false
            chart.xLabel = "frame 0–\(frames - 1)"
        }
        return try chart.svg()
    }
}
