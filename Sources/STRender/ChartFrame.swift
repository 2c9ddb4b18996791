import STCore

/// The furniture shared by `LineChart` and `BarChart`: the layout of title, axis titles, tick
/// labels and legend around a plot area, the value-to-pixel mapping of the vertical axis, and the
/// final composition. All sizes scale with `fontScale` (one font pixel).
///
/// Layout, left to right: margin, rotated y title, y tick labels, tick marks, plot, legend,
/// margin; top to bottom: margin, title, plot, tick marks, x tick labels, x title, margin.
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

    /// A label under the horizontal axis at a plot-area column.
    struct XTick {
        let column: Int
        let label: String
    }

    let width: Int
    let height: Int
    let spacing: Spacing
    var fontScale: Int { spacing.fontScale }
    let title: String
    let xLabel: String
    let yLabel: String
    let yScale: AxisScale
    let legend: [LegendEntry]
    /// The plot area occupies image columns `plotLeft ..< plotLeft + plotWidth` and rows
    /// `plotTop ..< plotTop + plotHeight`.
    let plotLeft: Int
    let plotTop: Int
    let plotWidth: Int
    let plotHeight: Int

    /// Sizes in pixels, all proportional to the font scale s.
    struct Spacing {
        let fontScale: Int
        /// Height of a line of text: 7s.
        var lineHeight: Int { BitmapFont.textHeight(scale: fontScale) }
        /// Space between neighbouring elements: 4s.
        var gap: Int { 4 * fontScale }
        /// Length of tick marks: 3s.
        var tickLength: Int { 3 * fontScale }
        /// Blank border around the chart: 6s.
        var margin: Int { 6 * fontScale }
        /// Font scale of the title: s + 1.
        var titleScale: Int { fontScale + 1 }
        /// Width of a legend mark: 16s.
        var legendSwatchWidth: Int { 16 * fontScale }
        /// Thickness of data lines: s.
        var lineThickness: Int { fontScale }
        /// Radius of line markers: s + 1.
        var markerRadius: Int { fontScale + 1 }
    }

    /// Lays the chart out. `widestXTickLabel` is the widest label centred on the plot's right edge
    /// (half of it must fit in the right margin).
    ///
    /// - Throws: `STError.badInput` when the labels leave fewer than 16 × 16 pixels for the plot.
    init(width: Int, height: Int, fontScale: Int, title: String, xLabel: String, yLabel: String,
         yScale: AxisScale, legend: [LegendEntry], widestXTickLabel: String) throws {
        let spacing = Spacing(fontScale: max(1, fontScale))
        self.width = width
        self.height = height
        self.spacing = spacing
        self.title = title
        self.xLabel = xLabel
        self.yLabel = yLabel
        self.yScale = yScale
        self.legend = legend
        let scale = spacing.fontScale
        let (line, gap, tick, margin) = (spacing.lineHeight, spacing.gap, spacing.tickLength, spacing.margin)

        let top = margin + (title.isEmpty ? 0 : BitmapFont.textHeight(scale: spacing.titleScale) + 2 * gap)
        let yTickWidth = yScale.ticks.map { BitmapFont.textWidth(yScale.label($0), scale: scale) }.max() ?? 0
        let left = margin + (yLabel.isEmpty ? 0 : line + gap) + yTickWidth + gap + tick
        let bottom = tick + gap + line + (xLabel.isEmpty ? 0 : gap + line) + margin
        let legendNameWidth = legend.map { BitmapFont.textWidth($0.name, scale: scale) }.max() ?? 0
        let legendWidth = legend.isEmpty ? 0 : 2 * gap + spacing.legendSwatchWidth + gap + legendNameWidth
        let overhang = BitmapFont.textWidth(widestXTickLabel, scale: scale) / 2
        let right = max(margin, overhang) + legendWidth
        plotLeft = left
        plotTop = top
        plotWidth = width - left - right
        plotHeight = height - top - bottom
        guard plotWidth >= 16, plotHeight >= 16 else {
            throw STError.badInput(file: "chart", reason: "a \(width)×\(height) image leaves no room for the plot "
                + "at font scale \(scale)")
        }
    }

    /// Plot-area row of the value `v`: `round((1 − (v − lower)/(upper − lower))·(plotHeight − 1))`.
    func row(for value: Double) -> Int {
        Int(((1 - yScale.fraction(value)) * Double(plotHeight - 1)).rounded())
    }

    /// Plot-area column of the fraction `f` of the width: `round(f·(plotWidth − 1))`.
    func column(forFraction fraction: Double) -> Int {
        Int((fraction * Double(plotWidth - 1)).rounded())
    }

    /// A blank plot area with light grid lines at the y ticks and at `gridColumns`.
    func plotArea(gridColumns: [Int]) -> RGBImage {
        var area = RGBImage(width: plotWidth, height: plotHeight)
        for tick in yScale.ticks {
            area.fillRectangle(x: 0, y: row(for: tick), width: plotWidth, height: 1, colour: .lightGrey)
        }
        for column in gridColumns {
            area.fillRectangle(x: column, y: 0, width: 1, height: plotHeight, colour: .lightGrey)
        }
        return area
    }

    /// The whole chart: `area` framed by a black box, y ticks with labels, x labels (with tick marks
    /// when `xTickMarks`), the title over the plot (kept inside the image), the axis titles and the legend.
    func compose(area: RGBImage, xTicks: [XTick], xTickMarks: Bool) -> RGBImage {
        let (line, gap, tick, scale) = (spacing.lineHeight, spacing.gap, spacing.tickLength, fontScale)
        var image = RGBImage(width: width, height: height)
        image.paste(area, x: plotLeft, y: plotTop)
        image.strokeRectangle(x: plotLeft - 1, y: plotTop - 1, width: plotWidth + 2, height: plotHeight + 2,
                              colour: .black)
        for value in yScale.ticks {
            let y = plotTop + row(for: value)
            image.fillRectangle(x: plotLeft - 1 - tick, y: y, width: tick, height: 1, colour: .black)
            let label = yScale.label(value)
            let labelLeft = plotLeft - 1 - tick - gap - BitmapFont.textWidth(label, scale: scale)
            image.drawText(label, at: (labelLeft, y - line / 2), colour: .black, scale: scale)
        }
        let belowPlot = plotTop + plotHeight + 1
        for xTick in xTicks {
            let x = plotLeft + xTick.column
            if xTickMarks {
                image.fillRectangle(x: x, y: belowPlot, width: 1, height: tick, colour: .black)
            }
            let labelLeft = x - BitmapFont.textWidth(xTick.label, scale: scale) / 2
            image.drawText(xTick.label, at: (labelLeft, belowPlot + tick + gap), colour: .black, scale: scale)
        }
        let plotCentreX = plotLeft + plotWidth / 2
        if !title.isEmpty {
            // Centred over the plot, but shifted to stay inside the margins when it is wider.
            let titleWidth = BitmapFont.textWidth(title, scale: spacing.titleScale)
            let titleLeft = max(spacing.margin, min(plotCentreX - titleWidth / 2, width - spacing.margin - titleWidth))
            image.drawText(title, at: (titleLeft, spacing.margin), colour: .black, scale: spacing.titleScale)
        }
        if !xLabel.isEmpty {
            let labelLeft = plotCentreX - BitmapFont.textWidth(xLabel, scale: scale) / 2
            image.drawText(xLabel, at: (labelLeft, belowPlot + tick + gap + line + gap), colour: .black, scale: scale)
        }
        if !yLabel.isEmpty {
            let labelTop = plotTop + plotHeight / 2 - BitmapFont.textWidth(yLabel, scale: scale) / 2
            image.drawText(yLabel, at: (spacing.margin, labelTop), colour: .black, scale: scale, rotated: true)
        }
        drawLegend(on: &image)
        return image
    }

    /// Legend rows to the right of the plot, top-aligned with it.
    private func drawLegend(on image: inout RGBImage) {
        let (line, gap, swatch) = (spacing.lineHeight, spacing.gap, spacing.legendSwatchWidth)
        let left = plotLeft + plotWidth + 2 * gap
        for (index, entry) in legend.enumerated() {
            let top = plotTop + index * (line + gap)
            let middle = top + line / 2
            switch entry.mark {
            case .line:
                image.drawLine(from: (left, middle), to: (left + swatch - 1, middle), colour: entry.colour,
                               thickness: spacing.lineThickness)
                image.fillCircle(centre: (left + swatch / 2, middle), radius: spacing.markerRadius, colour: entry.colour)
            case .box:
                image.fillRectangle(x: left + swatch / 4, y: top, width: swatch / 2, height: line, colour: entry.colour)
            }
            image.drawText(entry.name, at: (left + swatch + gap, top), colour: .black, scale: fontScale)
        }
    }
}
