import STCore

/// A grouped bar chart (categories × series) with value labels, axes, nice tick labels, axis
/// titles, a title and (for more than one series) a legend, rendered to an `RGBImage` — for
/// per-method metrics such as deletion AUC or pointing-game accuracy.
///
/// Each category gets an equal slot; its bars fill the middle 80 % of the slot, one per series in
/// `ChartPalette.tab10` colours unless a series names its own. Bars grow from 0 (downward for
/// negative values); the vertical axis always includes 0. Non-finite values draw no bar.
public struct BarChart: Sendable {
    /// One bar per category: `values[i]` belongs to `categories[i]`.
    public struct Series: Sendable {
        /// Legend name.
        public var name: String
        /// One value per category, in the order of `categories`.
        public var values: [Double]
        /// Overrides the palette colour.
        public var colour: RGBColour?

        /// A series of bars, one per category.
        public init(name: String, values: [Double], colour: RGBColour? = nil) {
            self.name = name
            self.values = values
            self.colour = colour
        }
    }

    /// Title above the plot ("" for none).
    public var title: String
    /// Title of the horizontal axis ("" for none).
    public var xLabel: String
    /// Title of the vertical axis, drawn rotated ("" for none).
    public var yLabel: String
    /// Group labels under the horizontal axis, shortened with ".." when wider than their slot.
    public var categories: [String]
    /// The bars of each group, left to right.
    public var series: [Series]
    /// Fixed vertical range (default: the data's and 0, widened to nice ticks).
    public var yRange: ClosedRange<Double>?
    /// Whether each bar is labelled with its value.
    public var showsValueLabels = true
    /// Decimal places of the value labels (default: one more than the tick labels').
    public var valueDecimals: Int?
    /// Image width in pixels.
    public var width = 720
    /// Image height in pixels.
    public var height = 480
    /// Size of one font pixel; spacing scales with it.
    public var fontScale = 2

    /// A chart of `series` over `categories`, at the default size (720 × 480, font scale 2).
    public init(title: String = "", xLabel: String = "", yLabel: String = "", categories: [String],
                series: [Series]) {
        self.title = title
        self.xLabel = xLabel
        self.yLabel = yLabel
        self.categories = categories
        self.series = series
    }

    /// The chart as an image of `width × height` pixels.
    ///
    /// - Throws: `STError.badInput` when a series does not have one value per category, or the
    ///   image is too small for its labels.
    public func render() throws -> RGBImage {
        for bars in series where bars.values.count != categories.count {
            throw STError.badInput(file: "series '\(bars.name)'",
                                   reason: "\(bars.values.count) values for \(categories.count) categories")
        }
        let values = series.flatMap(\.values).filter(\.isFinite)
        let yScale = AxisScale(covering: min(values.min() ?? 0, 0), max(values.max() ?? 1, 0), fixed: yRange)
        let colours = series.indices.map { series[$0].colour ?? ChartPalette.colour($0) }
        let legend = series.count > 1
            ? series.indices.map { ChartFrame.LegendEntry(name: series[$0].name, colour: colours[$0], mark: .box) }
            : []
        let frame = try ChartFrame(width: width, height: height, fontScale: fontScale, title: title, xLabel: xLabel,
                                   yLabel: yLabel, yScale: yScale, legend: legend, widestXTickLabel: "")
        let slot = Double(frame.plotWidth) / Double(max(categories.count, 1))
        let barWidth = 0.8 * slot / Double(max(series.count, 1))
        let baseline = min(max(frame.row(for: 0), 0), frame.plotHeight - 1)

        var area = frame.plotArea(gridColumns: [])
        var labels: [ValueLabel] = []
        for (seriesIndex, bars) in series.enumerated() {
            for (category, value) in bars.values.enumerated() where value.isFinite {
                let start = (Double(category) + 0.1) * slot + Double(seriesIndex) * barWidth
                let left = Int(start.rounded())
                let right = max(Int((start + barWidth).rounded()), left + 1)
                let end = min(max(frame.row(for: value), 0), frame.plotHeight - 1)
                area.fillRectangle(x: left, y: min(end, baseline), width: right - left,
                                   height: abs(end - baseline) + 1, colour: colours[seriesIndex])
                labels.append(ValueLabel(text: AxisScale.format(value, decimals: valueDecimals ?? yScale.decimals + 1),
                                         column: (left + right) / 2, row: end, isBelow: value < 0))
            }
        }
        if yScale.lower < 0 && 0 < yScale.upper {  // otherwise the frame's bottom or top edge is the baseline
            area.fillRectangle(x: 0, y: baseline, width: frame.plotWidth, height: 1, colour: .black)
        }
        let xTicks = categories.enumerated().map { index, name in
            ChartFrame.XTick(column: Int((Double(index) + 0.5) * slot),
                             label: Self.truncated(name, toWidth: Int(slot) - frame.spacing.gap,
                                                   scale: frame.fontScale))
        }
        var image = frame.compose(area: area, xTicks: xTicks, xTickMarks: false)
        if showsValueLabels {
            drawValueLabels(labels, frame: frame, barWidth: Int(barWidth), on: &image)
        }
        return image
    }

    /// A bar's value as text, anchored at the plot-area column of the bar's centre and the row of
    /// its end (above it for positive bars, below it for negative ones).
    private struct ValueLabel {
        let text: String
        let column: Int
        let row: Int
        let isBelow: Bool
    }

    /// Value labels centred on their bars, just above the end of positive bars and just below the
    /// end of negative ones, at a smaller font scale when the text is wider than the bar.
    private func drawValueLabels(_ labels: [ValueLabel], frame: ChartFrame, barWidth: Int,
                                 on image: inout RGBImage) {
        let gap = frame.fontScale
        for label in labels {
            var scale = frame.fontScale
            while scale > 1 && BitmapFont.textWidth(label.text, scale: scale) > barWidth + 2 * gap {
                scale -= 1
            }
            let textHeight = BitmapFont.textHeight(scale: scale)
            let x = frame.plotLeft + label.column - BitmapFont.textWidth(label.text, scale: scale) / 2
            let y = frame.plotTop + (label.isBelow ? label.row + 1 + gap : label.row - gap - textHeight)
            image.drawText(label.text, at: (x, y), colour: .black, scale: scale)
        }
    }

    /// `text`, shortened with a trailing ".." until it fits in `width` pixels at `scale`.
    static func truncated(_ text: String, toWidth width: Int, scale: Int) -> String {
        guard BitmapFont.textWidth(text, scale: scale) > width else { return text }
        var kept = text
        while !kept.isEmpty && BitmapFont.textWidth(kept + "..", scale: scale) > width {
            kept.removeLast()
        }
        return kept + ".."
    }
}
