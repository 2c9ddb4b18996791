import STCore

/// A grouped bar chart (categories × series) with value labels, axes, nice tick labels, axis
/// titles, a title and (for more than one series) a legend, drawn as an SVG document — for
/// per-method metrics such as deletion AUC or pointing-game accuracy.
///
/// Each category gets an equal slot; its bars fill the middle 80 % of the slot, one per series in
/// `ChartPalette.tab10` colours unless a series names its own. Bars grow from 0 (downward for
/// negative values); the vertical axis always includes 0. Non-finite values draw no bar. Each bar
/// carries a tooltip "series, category: value".
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
    /// Group labels under the horizontal axis, shortened with "…" when wider than their slot.
    public var categories: [String]
    /// The bars of each group, left to right.
    public var series: [Series]
    /// Fixed vertical range (default: the data's and 0, widened to nice ticks).
    public var yRange: ClosedRange<Double>?
    /// Whether each bar is labelled with its value.
    public var showsValueLabels = true
    /// Whether the categories are written under the axis (they always name the bars' tooltips).
    public var showsCategoryLabels = true
    /// Decimal places of the value labels (default: one more than the tick labels').
    public var valueDecimals: Int?
    /// Width in SVG user units (CSS pixels).
    public var width: Double = 720
    /// Height in SVG user units.
    public var height: Double = 480
    /// Font size of labels, in user units; the title is 1.25 times as large and spacing scales with it.
    public var fontSize: Double = 14

    /// A chart of `series` over `categories`, at the default size (720 × 480, font size 14).
    public init(title: String = "", xLabel: String = "", yLabel: String = "", categories: [String],
                series: [Series]) {
        self.title = title
        self.xLabel = xLabel
        self.yLabel = yLabel
        self.categories = categories
        self.series = series
    }

    /// The chart as an SVG document of `width × height`.
    ///
    /// - Throws: `STError.badInput` when a series does not have one value per category, or the
    ///   chart is too small for its labels.
    public func svg() throws -> String {
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
        let frame = try ChartFrame(width: width, height: height, fontSize: fontSize, title: title, xLabel: xLabel,
                                   yLabel: yLabel, yScale: yScale, legend: legend, widestXTickLabel: "")
        let slot = frame.plotWidth / Double(max(categories.count, 1))
        let barWidth = 0.8 * slot / Double(max(series.count, 1))
        let baseline = frame.clampedY(for: 0)

        var lines = frame.background(gridXs: [])
        var labels: [String] = []
        lines.append(#"  <g class="bars">"#)
        for (seriesIndex, bars) in series.enumerated() {
            for (category, value) in bars.values.enumerated() where value.isFinite {
                let left = frame.plotLeft + (Double(category) + 0.1) * slot + Double(seriesIndex) * barWidth
                let end = frame.clampedY(for: value)
                let text = AxisScale.format(value, decimals: valueDecimals ?? yScale.decimals + 1)
                lines.append("    " + SVGMarkup.element("rect", ["x": left, "y": min(end, baseline), "width": barWidth,
                                                                 "height": abs(end - baseline), "fill": colours[seriesIndex]],
                                                        title: "\(bars.name), \(categories[category]): \(text)"))
                labels.append(valueLabel(text, centre: left + barWidth / 2, end: end, isBelow: value < 0,
                                         barWidth: barWidth, frame: frame))
            }
        }
        lines.append("  </g>")
        if yScale.lower < 0 && 0 < yScale.upper {  // otherwise the frame's bottom or top edge is the baseline
            lines.append("  " + SVGMarkup.element("line", ["class": "zero", "x1": frame.plotLeft, "y1": baseline,
                                                           "x2": frame.plotLeft + frame.plotWidth, "y2": baseline,
                                                           "stroke": "black", "stroke-width": 1]))
        }
        if showsValueLabels {
            lines += [#"  <g class="value-labels" text-anchor="middle">"#] + labels.map { "    " + $0 } + ["  </g>"]
        }
        let xTicks = showsCategoryLabels ? categories.enumerated().map { index, name in
            ChartFrame.XTick(x: frame.plotLeft + (Double(index) + 0.5) * slot,
                             label: Self.truncated(name, toWidth: slot - frame.spacing.gap, fontSize: fontSize))
        } : []
        lines += frame.foreground(xTicks: xTicks, xTickMarks: false)
        return lines.joined(separator: "\n") + "\n"
    }

    /// A bar's value centred on it, just above the end of a positive bar and just below the end of
    /// a negative one, in a smaller font when the text is wider than the bar (down to half size).
    private func valueLabel(_ text: String, centre: Double, end: Double, isBelow: Bool, barWidth: Double,
                            frame: ChartFrame) -> String {
        let room = barWidth + frame.spacing.gap
        let size = max(fontSize / 2, min(fontSize, fontSize * room / ChartFrame.estimatedWidth(text, fontSize: fontSize)))
        let gap = fontSize / 4
        let baseline = isBelow ? end + gap + 0.8 * size : end - gap
        return SVGMarkup.element("text", ["x": centre, "y": baseline, "font-size": size], text: text)
    }

    /// `text`, shortened with a trailing "…" until its estimated width at `fontSize` fits in `width`.
    static func truncated(_ text: String, toWidth width: Double, fontSize: Double) -> String {
        guard ChartFrame.estimatedWidth(text, fontSize: fontSize) > width else { return text }
        var kept = text
        while !kept.isEmpty && ChartFrame.estimatedWidth(kept + "…", fontSize: fontSize) > width {
            kept.removeLast()
        }
        return kept + "…"
    }
}
