import STCore

/// The furniture shared by `LineChart` and `BarChart`, as SVG: the layout of title, axis titles,
/// tick labels and legend around a plot area, the value-to-coordinate mapping of the vertical
/// axis, the grid behind the data and the axes, labels and legend in front of it. All spacing
/// scales with the font size f.
///
/// Layout, left to right: margin, rotated y title, y tick labels, tick marks, plot, legend,
/// margin; top to bottom: margin, title, plot, tick marks, x tick labels, x title, margin.
/// Text is set in the reader's sans-serif font, whose widths the layout can only estimate
/// (`estimatedWidth`).
struct ChartFrame {
    /// How a legend entry shows its series.
    enum LegendMark {
        /// A short line with a marker, as drawn by line charts.
        case line
        /// A filled square, as drawn by bar charts.
        case box
    }

    /// One legend row: a mark in the series colour and its name.
    struct LegendEntry {
        let name: String
        let colour: RGBColour
        let mark: LegendMark
    }

    /// A label under the horizontal axis at the document coordinate `x`.
    struct XTick {
        let x: Double
        let label: String
    }

    let width: Double
    let height: Double
    let title: String
    let xLabel: String
    let yLabel: String
    let yScale: AxisScale
    let legend: [LegendEntry]
    /// The plot area spans `plotLeft … plotLeft + plotWidth` and `plotTop … plotTop + plotHeight`.
    let plotLeft: Double
    let plotTop: Double
    let plotWidth: Double
    let plotHeight: Double

    let spacing: Spacing
    var fontSize: Double { spacing.fontSize }

    /// Lengths proportional to the font size f.
    struct Spacing {
        let fontSize: Double
        /// Space between neighbouring elements: f/2.
        var gap: Double { fontSize / 2 }
        /// Length of tick marks: 0.4f.
        var tickLength: Double { 0.4 * fontSize }
        /// Blank border around the chart: 0.8f.
        var margin: Double { 0.8 * fontSize }
        /// Font size of the title: 1.25f.
        var titleSize: Double { 1.25 * fontSize }
        /// Width of a legend mark: 2f.
        var legendSwatchWidth: Double { 2 * fontSize }
        /// Width of data lines: f/7 (2 at the default 14).
        var lineWidth: Double { fontSize / 7 }
        /// Radius of line markers: f/4.
        var markerRadius: Double { fontSize / 4 }
        /// From the top of a line of text to its baseline: 0.8f.
        var ascent: Double { 0.8 * fontSize }
    }

    /// Lays the chart out. `widestXTickLabel` is the widest label centred on the plot's right edge
    /// (half of it must fit in the right margin).
    ///
    /// - Throws: `STError.badInput` when the labels leave less than 16 × 16 for the plot.
    init(width: Double, height: Double, fontSize: Double, title: String, xLabel: String, yLabel: String,
         yScale: AxisScale, legend: [LegendEntry], widestXTickLabel: String) throws {
        let spacing = Spacing(fontSize: fontSize)
        self.width = width
        self.height = height
        self.spacing = spacing
        self.title = title
        self.xLabel = xLabel
        self.yLabel = yLabel
        self.yScale = yScale
        self.legend = legend
        let (line, gap, tick, margin) = (fontSize, spacing.gap, spacing.tickLength, spacing.margin)
        let top = margin + (title.isEmpty ? 0 : spacing.titleSize + 2 * gap)
        let yTickWidth = yScale.ticks.map { Self.estimatedWidth(yScale.label($0), fontSize: fontSize) }.max() ?? 0
        let left = margin + (yLabel.isEmpty ? 0 : line + gap) + yTickWidth + gap + tick
        let bottom = tick + gap + line + (xLabel.isEmpty ? 0 : gap + line) + margin
        let legendNameWidth = legend.map { Self.estimatedWidth($0.name, fontSize: fontSize) }.max() ?? 0
        let legendWidth = legend.isEmpty ? 0 : 2 * gap + spacing.legendSwatchWidth + gap + legendNameWidth
        let overhang = Self.estimatedWidth(widestXTickLabel, fontSize: fontSize) / 2
        plotLeft = left
        plotTop = top
        plotWidth = width - left - max(margin, overhang) - legendWidth
        plotHeight = height - top - bottom
        guard plotWidth >= 16, plotHeight >= 16 else {
            throw STError.badInput(file: "chart", reason: "a \(SVGMarkup.number(width))×\(SVGMarkup.number(height)) chart "
                + "leaves no room for the plot at font size \(SVGMarkup.number(fontSize))")
        }
    }

    /// An estimate of the width of `text` in a sans-serif font: 0.6 em per character, about the
    /// mean advance of digits and lower-case letters in DejaVu Sans, the usual Linux sans-serif
    /// (Arial and Helvetica are narrower).
    static func estimatedWidth(_ text: String, fontSize: Double) -> Double {
        0.6 * fontSize * Double(text.count)
    }

    /// The vertical coordinate of the value `v`: `plotTop + (1 − (v − lower)/(upper − lower))·plotHeight`.
    func y(for value: Double) -> Double {
        plotTop + (1 - yScale.fraction(value)) * plotHeight
    }

    /// The horizontal coordinate of the fraction `f` of the plot's width: `plotLeft + f·plotWidth`.
    func x(forFraction fraction: Double) -> Double {
        plotLeft + fraction * plotWidth
    }

    /// `value` clamped to the plot's vertical extent.
    func clampedY(for value: Double) -> Double {
        min(max(y(for: value), plotTop), plotTop + plotHeight)
    }

    /// The document's opening, the clip path `#plot-area` data may use, and light grid lines at
    /// the y ticks and at `gridXs`.
    func background(gridXs: [Double]) -> [String] {
        var lines = SVGMarkup.header(width: width, height: height, fontSize: fontSize)
        lines.append(#"  <defs><clipPath id="plot-area">"#
            + SVGMarkup.element("rect", ["x": plotLeft, "y": plotTop, "width": plotWidth, "height": plotHeight])
            + "</clipPath></defs>")
        lines.append(#"  <g class="grid" stroke="\#(SVGMarkup.hex(.lightGrey))" stroke-width="1">"#)
        for tick in yScale.ticks {
            let y = y(for: tick)
            lines.append("    " + SVGMarkup.element("line", ["x1": plotLeft, "y1": y, "x2": plotLeft + plotWidth, "y2": y]))
        }
        for x in gridXs {
            lines.append("    " + SVGMarkup.element("line", ["x1": x, "y1": plotTop, "x2": x, "y2": plotTop + plotHeight]))
        }
        lines.append("  </g>")
        return lines
    }

    /// The plot's black frame, y ticks with labels, x labels (with tick marks when `xTickMarks`),
    /// the title over the plot (kept inside the chart), the axis titles, the legend, and the
    /// document's end.
    func foreground(xTicks: [XTick], xTickMarks: Bool) -> [String] {
        let (gap, tickLength, margin, titleSize) = (spacing.gap, spacing.tickLength, spacing.margin, spacing.titleSize)
        let plotBottom = plotTop + plotHeight
        var lines = [#"  <g class="axes" stroke="black" stroke-width="1" fill="none">"#,
                     "    " + SVGMarkup.element("rect", ["x": plotLeft, "y": plotTop, "width": plotWidth, "height": plotHeight])]
        for value in yScale.ticks {
            let y = y(for: value)
            lines.append("    " + SVGMarkup.element("line", ["x1": plotLeft - tickLength, "y1": y, "x2": plotLeft, "y2": y]))
        }
        if xTickMarks {
            for tick in xTicks {
                lines.append("    " + SVGMarkup.element("line", ["x1": tick.x, "y1": plotBottom, "x2": tick.x,
                                                                 "y2": plotBottom + tickLength]))
            }
        }
        lines += ["  </g>", #"  <g class="tick-labels">"#]
        for value in yScale.ticks {
            lines.append("    " + SVGMarkup.element("text", ["x": plotLeft - tickLength - gap, "y": y(for: value),
                                                             "dy": "0.35em", "text-anchor": "end"], text: yScale.label(value)))
        }
        let xLabelBaseline = plotBottom + tickLength + gap + spacing.ascent
        for tick in xTicks where !tick.label.isEmpty {
            lines.append("    " + SVGMarkup.element("text", ["x": tick.x, "y": xLabelBaseline, "text-anchor": "middle"],
                                                    text: tick.label))
        }
        lines.append("  </g>")
        let plotCentre = plotLeft + plotWidth / 2
        if !title.isEmpty {
            // Centred over the plot, but shifted to stay inside the margins when it is wider.
            let half = Self.estimatedWidth(title, fontSize: titleSize) / 2
            let centre = max(margin + half, min(plotCentre, width - margin - half))
            lines.append("  " + SVGMarkup.element("text", ["class": "title", "x": centre, "y": margin + 0.8 * titleSize,
                                                           "text-anchor": "middle", "font-size": titleSize,
                                                           "font-weight": "bold"], text: title))
        }
        if !xLabel.isEmpty {
            lines.append("  " + SVGMarkup.element("text", ["class": "x-label", "x": plotCentre,
                                                           "y": xLabelBaseline + gap + fontSize, "text-anchor": "middle"],
                                                  text: xLabel))
        }
        if !yLabel.isEmpty {
            let (x, y) = (margin + spacing.ascent, plotTop + plotHeight / 2)
            lines.append("  " + SVGMarkup.element("text", ["class": "y-label", "x": x, "y": y, "text-anchor": "middle",
                                                           "transform": "rotate(-90 \(SVGMarkup.number(x)) \(SVGMarkup.number(y)))"],
                                                  text: yLabel))
        }
        lines += legendLines()
        lines.append("</svg>")
        return lines
    }

    /// Legend rows to the right of the plot, top-aligned with it.
    private func legendLines() -> [String] {
        guard !legend.isEmpty else { return [] }
        let (gap, swatch) = (spacing.gap, spacing.legendSwatchWidth)
        let left = plotLeft + plotWidth + 2 * gap
        var lines = [#"  <g class="legend">"#]
        for (index, entry) in legend.enumerated() {
            let top = plotTop + Double(index) * (fontSize + gap)
            let middle = top + fontSize / 2
            switch entry.mark {
            case .line:
                lines.append("    " + SVGMarkup.element("line", ["x1": left, "y1": middle, "x2": left + swatch, "y2": middle,
                                                                 "stroke": entry.colour, "stroke-width": spacing.lineWidth]))
                lines.append("    " + SVGMarkup.element("circle", ["cx": left + swatch / 2, "cy": middle, "r": spacing.markerRadius,
                                                                   "fill": entry.colour]))
            case .box:
                lines.append("    " + SVGMarkup.element("rect", ["x": left + swatch / 4, "y": top, "width": swatch / 2,
                                                                 "height": fontSize, "fill": entry.colour]))
            }
            lines.append("    " + SVGMarkup.element("text", ["x": left + swatch + gap, "y": middle, "dy": "0.35em"],
                                                    text: entry.name))
        }
        lines.append("  </g>")
        return lines
    }
}
