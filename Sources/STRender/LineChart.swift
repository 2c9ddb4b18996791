import STCore

/// A line chart of named series with axes, nice tick labels, axis titles, a title and a legend,
/// drawn as an SVG document — for masking-faithfulness curves (x = % masked, y = accuracy, series
/// "important" and "non-important") and deletion/insertion curves.
///
/// Series are drawn in order in `ChartPalette.tab10` colours unless they name their own, as
/// polylines through consecutive points with a dot on each point (its tooltip "series: (x, y)");
/// a non-finite x or y breaks the line. The axes cover the finite data, widened to nice ticks,
/// unless `xRange` / `yRange` fix them; lines are clipped to the plot area, and dots outside it
/// are left out.
public struct LineChart: Sendable {
    /// One curve: `y[i]` at `x[i]`.
    public struct Series: Sendable {
        /// Legend name.
        public var name: String
        /// Horizontal positions of the points.
        public var x: [Double]
        /// Vertical positions of the points, one per `x`.
        public var y: [Double]
        /// Overrides the palette colour.
        public var colour: RGBColour?

        /// A curve through the points `(x[i], y[i])`.
        public init(name: String, x: [Double], y: [Double], colour: RGBColour? = nil) {
            self.name = name
            self.x = x
            self.y = y
            self.colour = colour
        }
    }

    /// Title above the plot ("" for none).
    public var title: String
    /// Title of the horizontal axis ("" for none).
    public var xLabel: String
    /// Title of the vertical axis, drawn rotated ("" for none).
    public var yLabel: String
    /// The curves, drawn in order (later ones on top).
    public var series: [Series]
    /// Fixed horizontal range (default: the data's, widened to nice ticks).
    public var xRange: ClosedRange<Double>?
    /// Fixed vertical range (default: the data's, widened to nice ticks), e.g. `0...1` for accuracy.
    public var yRange: ClosedRange<Double>?
    /// Width in SVG user units (CSS pixels).
    public var width: Double = 720
    /// Height in SVG user units.
    public var height: Double = 480
    /// Font size of labels, in user units; the title is 1.25 times as large, and line width, dot
    /// size and spacing scale with it.
    public var fontSize: Double = 14
    /// Whether each data point gets a dot.
    public var showsMarkers = true

    /// A chart of series that each carry their own x values.
    public init(title: String = "", xLabel: String = "", yLabel: String = "", series: [Series]) {
        self.title = title
        self.xLabel = xLabel
        self.yLabel = yLabel
        self.series = series
    }

    /// A chart of series that share the x values `x`, in the order given:
    /// `LineChart(x: [0, 10, 50, 90], series: ["important": a, "non-important": b])`.
    public init(title: String = "", xLabel: String = "", yLabel: String = "", x: [Double],
                series: KeyValuePairs<String, [Double]>) {
        self.init(title: title, xLabel: xLabel, yLabel: yLabel,
                  series: series.map { Series(name: $0.key, x: x, y: $0.value) })
    }

    /// The chart as an SVG document of `width × height`.
    ///
    /// - Throws: `STError.badInput` when a series has different numbers of x and y values, or the
    ///   chart is too small for its labels.
    public func svg() throws -> String {
        for line in series where line.x.count != line.y.count {
            throw STError.badInput(file: "series '\(line.name)'",
                                   reason: "\(line.x.count) x values but \(line.y.count) y values")
        }
        let points = series.flatMap { zip($0.x, $0.y) }.filter { $0.0.isFinite && $0.1.isFinite }
        let xScale = AxisScale(covering: points.map(\.0).min() ?? 0, points.map(\.0).max() ?? 1, fixed: xRange)
        let yScale = AxisScale(covering: points.map(\.1).min() ?? 0, points.map(\.1).max() ?? 1, fixed: yRange)
        let colours = series.indices.map { series[$0].colour ?? ChartPalette.colour($0) }
        let frame = try ChartFrame(
            width: width, height: height, fontSize: fontSize, title: title, xLabel: xLabel, yLabel: yLabel,
            yScale: yScale,
            legend: series.indices.map { .init(name: series[$0].name, colour: colours[$0], mark: .line) },
            widestXTickLabel: xScale.ticks.last.map(xScale.label) ?? "")
        let xTicks = xScale.ticks.map { ChartFrame.XTick(x: frame.x(forFraction: xScale.fraction($0)), label: xScale.label($0)) }
        var lines = frame.background(gridXs: xTicks.map(\.x))
        for (index, line) in series.enumerated() {
            lines.append(#"  <g class="series" fill="\#(SVGMarkup.hex(colours[index]))">"#)
            for run in Self.finiteRuns(line) where run.count > 1 {
                let coordinates = run.map { SVGMarkup.number(frame.x(forFraction: xScale.fraction($0.x))) + ","
                    + SVGMarkup.number(frame.y(for: $0.y)) }
                lines.append("    " + SVGMarkup.element("polyline", [
                    "points": coordinates.joined(separator: " "), "fill": "none", "stroke": colours[index],
                    "stroke-width": frame.spacing.lineWidth, "stroke-linejoin": "round", "clip-path": "url(#plot-area)",
                ]))
            }
            if showsMarkers {
                for (x, y) in zip(line.x, line.y) where xScale.contains(x) && yScale.contains(y) {
                    lines.append("    " + SVGMarkup.element("circle", [
                        "cx": frame.x(forFraction: xScale.fraction(x)), "cy": frame.y(for: y), "r": frame.spacing.markerRadius,
                    ], title: "\(line.name): (\(xScale.label(x)), \(AxisScale.format(y, decimals: yScale.decimals + 1)))"))
                }
            }
            lines.append("  </g>")
        }
        lines += frame.foreground(xTicks: xTicks, xTickMarks: true)
        return lines.joined(separator: "\n") + "\n"
    }

    /// The series' points split at every non-finite x or y, in order.
    static func finiteRuns(_ line: Series) -> [[(x: Double, y: Double)]] {
        var runs: [[(x: Double, y: Double)]] = [[]]
        for (x, y) in zip(line.x, line.y) {
            if x.isFinite && y.isFinite {
                runs[runs.count - 1].append((x, y))
            } else if !runs[runs.count - 1].isEmpty {
                runs.append([])
            }
        }
        return runs.filter { !$0.isEmpty }
    }
}
