import STCore

/// A line chart of named series with axes, nice tick labels, axis titles, a title and a legend,
/// rendered to an `RGBImage` — for masking-faithfulness curves (x = % masked, y = accuracy, series
/// "important" and "non-important") and deletion/insertion curves.
///
/// Series are drawn in order in `ChartPalette.tab10` colours unless they name their own, as
/// straight segments between consecutive points with a dot on each point; a non-finite x or y
/// breaks the line. The axes cover the finite data, widened to nice ticks, unless `xRange` /
/// `yRange` fix them; lines are clipped to the plot area.
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
    /// Image width in pixels.
    public var width = 720
    /// Image height in pixels.
    public var height = 480
    /// Size of one font pixel; line thickness and spacing scale with it.
    public var fontScale = 2
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

    /// The chart as an image of `width × height` pixels.
    ///
    /// - Throws: `STError.badInput` when a series has different numbers of x and y values, or the
    ///   image is too small for its labels.
    public func render() throws -> RGBImage {
        for line in series where line.x.count != line.y.count {
            throw STError.badInput(file: "series '\(line.name)'",
                                   reason: "\(line.x.count) x values but \(line.y.count) y values")
        }
        let points = series.flatMap { zip($0.x, $0.y) }.filter { $0.0.isFinite && $0.1.isFinite }
        let xScale = AxisScale(covering: points.map(\.0).min() ?? 0, points.map(\.0).max() ?? 1, fixed: xRange)
        let yScale = AxisScale(covering: points.map(\.1).min() ?? 0, points.map(\.1).max() ?? 1, fixed: yRange)
        let colours = series.indices.map { series[$0].colour ?? ChartPalette.colour($0) }
        let frame = try ChartFrame(
            width: width, height: height, fontScale: fontScale, title: title, xLabel: xLabel, yLabel: yLabel,
            yScale: yScale,
            legend: series.indices.map { .init(name: series[$0].name, colour: colours[$0], mark: .line) },
            widestXTickLabel: xScale.ticks.last.map(xScale.label) ?? "")
        let xTicks = xScale.ticks.map {
            ChartFrame.XTick(column: frame.column(forFraction: xScale.fraction($0)), label: xScale.label($0))
        }
        var area = frame.plotArea(gridColumns: xTicks.map(\.column))
        for (index, line) in series.enumerated() {
            let pixels = zip(line.x, line.y).map { x, y -> (x: Int, y: Int)? in
                guard x.isFinite, y.isFinite else { return nil }
                return (frame.column(forFraction: xScale.fraction(x)), frame.row(for: y))
            }
            for (start, end) in zip(pixels, pixels.dropFirst()) {
                if let start, let end {
                    area.drawLine(from: start, to: end, colour: colours[index], thickness: frame.spacing.lineThickness)
                }
            }
            if showsMarkers {
                for case let point? in pixels {
                    area.fillCircle(centre: point, radius: frame.spacing.markerRadius, colour: colours[index])
                }
            }
        }
        return frame.compose(area: area, xTicks: xTicks, xTickMarks: true)
    }
}
