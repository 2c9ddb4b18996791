import STCore

/// Per-frame attention weights as a bar chart titled "Temporal attention": one bar per frame
/// t = 0 … T−1, left to right, its height the weight, on a vertical axis that starts at 0 (or
/// below, for negative weights).
///
/// Frames are numbered under their bars when every number fits in its slot at the chart's font
/// scale — estimated against 80 % of the image width, a lower bound on the plot's width for
/// ordinary tick labels; otherwise the axis title gives the range, "frame 0 ... T−1" (the bitmap
/// font is ASCII), and the bars stand unlabelled (BarChart would shorten each number to "..").
public enum AttentionChart {
    /// The chart of `weights` (one per frame) as a `width × height` image.
    ///
    /// - Throws: `STError.badInput` when `weights` is empty or holds a non-finite value, or the
    ///   image is too small for the chart's labels.
    public static func render(weights: [Float], width: Int = 720, height: Int = 480) throws -> RGBImage {
        guard !weights.isEmpty else {
            throw STError.badInput(file: "temporal attention", reason: "no frame weights to chart")
        }
        if let frame = weights.firstIndex(where: { !$0.isFinite }) {
            throw STError.badInput(file: "temporal attention", reason: "frame \(frame) has weight \(weights[frame])")
        }
        let frames = weights.count
        var chart = BarChart(title: "Temporal attention", yLabel: "weight", categories: [],
                             series: [.init(name: "attention", values: weights.map(Double.init))])
        chart.width = width
        chart.height = height
        chart.showsValueLabels = false
        let slotWidth = 0.8 * Double(width) / Double(frames)
        let widestNumber = BitmapFont.textWidth(String(frames - 1), scale: chart.fontScale)
        if Double(widestNumber) <= slotWidth - Double(4 * chart.fontScale) {  // BarChart keeps a 4s gap
            chart.categories = (0..<frames).map(String.init)
            chart.xLabel = "frame"
        } else {
            chart.categories = Array(repeating: "", count: frames)
            chart.xLabel = "frame 0 ... \(frames - 1)"
        }
        return try chart.render()
    }
}
