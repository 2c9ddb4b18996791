import STCore

/// Skeleton poses with per-joint importance as an SVG figure — seed 000's ST-GCN figure: bones as
/// grey lines, each joint a disc whose size and colour grow with its importance ("Bigger size of
/// the node represents higher importance of that joint"), several poses side by side for "actions
/// at different time points".
///
/// An importance `v` (clamped to [0, 1]; NaN reads as 0) gives the disc radius
/// `r = minimumRadius + v·(maximumRadius − minimumRadius)` and the fill `Colormap.jet.colour(at: v)`.
/// Discs are drawn from the largest to the smallest, so a minor joint beside an important one stays
/// visible; each carries a `<title>` tooltip "name: importance". Joint names and captions are
/// escaped for XML.
///
/// Positions are in the skeleton's own coordinates with y up (the x, y of a 3D joint position;
/// depth is dropped) and are flipped for SVG, whose y grows downwards. All panels show the same
/// view: the bounding box of every joint of every pose, scaled as large as fits inside a panel's
/// margins with room for the largest disc, and centred. A joint that keeps still across frames
/// therefore stays at the same place in each panel, and body sizes compare.
///
/// Layout, top to bottom: the panels (each `panelWidth × panelHeight`, left to right, captions at
/// their bottom), the legend (discs at importance 0, 0.5 and 1), the figure caption.
public struct SkeletonFigure: Sendable {
    /// One panel of the figure: a pose and the importance of each of its joints.
    public struct Pose: Sendable {
        /// (x, y) of each joint, y up, in any unit; indexed like `jointNames`.
        public var positions: [SIMD2<Float>]
        /// Importance of each joint in [0, 1], e.g. min–max normalised joint importance ψ.
        public var importance: [Float]
        /// Text under the pose, such as "t = 40" ("" for none).
        public var caption: String

        /// A pose from 2D joint positions, y up.
        public init(positions: [SIMD2<Float>], importance: [Float], caption: String = "") {
            self.positions = positions
            self.importance = importance
            self.caption = caption
        }

        /// A pose from 3D joint positions (y up), seen along the depth axis: z is dropped.
        public init(positions: [SIMD3<Float>], importance: [Float], caption: String = "") {
            self.init(positions: positions.map { SIMD2($0.x, $0.y) }, importance: importance, caption: caption)
        }
    }

    /// One name per joint; the number of names is the number of joints V every pose must have.
    public var jointNames: [String]
    /// Bones as pairs of 0-based joint indices, each drawn as a line.
    public var bones: [(Int, Int)]
    /// Text under the whole figure ("" for none).
    public var caption: String
    /// Width of one panel in SVG user units (pixels).
    public var panelWidth: Double = 240
    /// Height of one panel, its caption included.
    public var panelHeight: Double = 320
    /// Blank space between a panel's edge and the nearest disc or caption.
    public var margin: Double = 16
    /// Radius of a disc of importance 0.
    public var minimumRadius: Double = 3
    /// Radius of a disc of importance 1.
    public var maximumRadius: Double = 12
    /// Width of the bone lines.
    public var boneWidth: Double = 3
    /// Font size of captions and the legend.
    public var fontSize: Double = 14
    /// Whether the legend of disc sizes and colours is drawn under the panels.
    public var showsLegend = true

    /// A figure of a skeleton with the given joints and bones, at the default sizes.
    public init(jointNames: [String], bones: [(Int, Int)], caption: String = "") {
        self.jointNames = jointNames
        self.bones = bones
        self.caption = caption
    }

    /// A one-panel figure of `pose` as an SVG document; see `svg(_:)` for poses side by side.
    ///
    /// - Throws: as `svg(_:)`.
    public func svg(_ pose: Pose) throws -> String {
        try svg([pose])
    }

    /// The poses side by side as one SVG document, `poses.count · panelWidth` wide.
    ///
    /// - Throws: `STError.badInput` when there are no poses or no joints, a pose does not have one
    ///   position and one importance per joint name, a position is not finite, a bone names a joint
    ///   outside `0..<V`, or the panels are too small for the discs, margins and captions.
    public func svg(_ poses: [Pose]) throws -> String {
        try validate(poses)
        let captionBand = poses.contains { !$0.caption.isEmpty } ? fontSize + margin / 2 : 0
        let fitWidth = panelWidth - 2 * (margin + maximumRadius)
        let fitHeight = panelHeight - 2 * (margin + maximumRadius) - captionBand
        guard fitWidth > 0, fitHeight > 0 else {
            throw STError.badInput(file: "skeleton figure", reason: "\(panelWidth)×\(panelHeight) panels leave no "
                + "room for discs of radius \(maximumRadius) inside margins of \(margin)")
        }
        // One view for every panel: the bounding box of all joints of all poses, as large as fits;
        // a box without extent in one direction (joints in a line) sets no limit there.
        let bounds = Self.bounds(of: poses.flatMap(\.positions))
        var scale = min(bounds.width > 0 ? fitWidth / bounds.width : .infinity,
                        bounds.height > 0 ? fitHeight / bounds.height : .infinity)
        if !scale.isFinite { scale = 1 }  // every joint at one point
        let legendBand = showsLegend ? fontSize + 2 * maximumRadius + 1.5 * margin : 0
        let captionLines = caption.isEmpty ? 0 : fontSize + margin
        let width = Double(poses.count) * panelWidth
        let height = panelHeight + legendBand + captionLines

        var lines = SVGMarkup.header(width: width, height: height, fontSize: fontSize)
        for (index, pose) in poses.enumerated() {
            let centre = SIMD2(Double(index) * panelWidth + panelWidth / 2, margin + maximumRadius + fitHeight / 2)
            lines += panel(pose, centre: centre, scale: scale, middle: bounds.middle)
        }
        if showsLegend {
            lines += legend(top: panelHeight, figureWidth: width)
        }
        if !caption.isEmpty {
            lines.append(#"  <text class="caption" x="\#(SVGMarkup.number(width / 2))" "#
                + #"y="\#(SVGMarkup.number(height - margin))" text-anchor="middle">\#(MarkupText.escaped(caption))</text>"#)
        }
        lines.append("</svg>")
        return lines.joined(separator: "\n") + "\n"
    }

    /// The `<g class="panel">` of one pose: its bones, its discs (largest first) and its caption.
    /// A skeleton point `p` lands at `centre + scale·(p − middle)`, y flipped.
    private func panel(_ pose: Pose, centre: SIMD2<Double>, scale: Double, middle: SIMD2<Double>) -> [String] {
        let points = pose.positions.map { position -> SIMD2<Double> in
            SIMD2(centre.x + scale * (Double(position.x) - middle.x), centre.y - scale * (Double(position.y) - middle.y))
        }
        let importance = pose.importance.map { $0.isNaN ? 0 : min(max($0, 0), 1) }
        var lines = [#"  <g class="panel">"#,
                     ##"    <g class="bones" stroke="#999999" stroke-width="\##(SVGMarkup.number(boneWidth))" "##
                        + #"stroke-linecap="round">"#]
        for (a, b) in bones {
            lines.append(#"      <line x1="\#(SVGMarkup.number(points[a].x))" y1="\#(SVGMarkup.number(points[a].y))" "#
                + #"x2="\#(SVGMarkup.number(points[b].x))" y2="\#(SVGMarkup.number(points[b].y))"/>"#)
        }
        lines += ["    </g>", ##"    <g class="joints" stroke="#333333" stroke-width="1">"##]
        let largestFirst = importance.indices.sorted { (importance[$0], $1) > (importance[$1], $0) }
        for joint in largestFirst {
            let title = MarkupText.escaped("\(jointNames[joint]): \(AxisScale.format(Double(importance[joint]), decimals: 2))")
            lines.append("      <circle \(disc(at: points[joint], importance: importance[joint]))><title>\(title)</title></circle>")
        }
        lines.append("    </g>")
        if !pose.caption.isEmpty {
            lines.append(#"    <text class="caption" x="\#(SVGMarkup.number(centre.x))" "#
                + #"y="\#(SVGMarkup.number(panelHeight - margin))" text-anchor="middle">\#(MarkupText.escaped(pose.caption))</text>"#)
        }
        lines.append("  </g>")
        return lines
    }

    /// The attributes of a `<circle>` of importance `v` at `centre`: position, radius and jet fill.
    private func disc(at centre: SIMD2<Double>, importance v: Float) -> String {
        let radius = minimumRadius + Double(v) * (maximumRadius - minimumRadius)
        return #"cx="\#(SVGMarkup.number(centre.x))" cy="\#(SVGMarkup.number(centre.y))" r="\#(SVGMarkup.number(radius))" "#
            + #"fill="\#(SVGMarkup.hex(Colormap.jet.colour(at: v)))""#
    }

    /// "joint importance" over discs of importance 0, 0.5 and 1, each labelled, centred under the panels.
    private func legend(top: Double, figureWidth: Double) -> [String] {
        let samples: [Float] = [0, 0.5, 1]
        let itemWidth = 2 * maximumRadius + 3 * fontSize
        let discRow = top + fontSize + margin / 2 + maximumRadius
        let firstLeft = figureWidth / 2 - Double(samples.count) * itemWidth / 2
        var lines = [#"  <g class="legend">"#,
                     #"    <text x="\#(SVGMarkup.number(figureWidth / 2))" y="\#(SVGMarkup.number(top + fontSize))" "#
                        + #"text-anchor="middle">joint importance</text>"#]
        for (index, v) in samples.enumerated() {
            let centre = SIMD2(firstLeft + Double(index) * itemWidth + maximumRadius, discRow)
            lines.append(##"    <circle \##(disc(at: centre, importance: v)) stroke="#333333"/>"##)
            lines.append(#"    <text x="\#(SVGMarkup.number(centre.x + maximumRadius + fontSize / 3))" "#
                + #"y="\#(SVGMarkup.number(discRow + fontSize / 3))">\#(AxisScale.format(Double(v), decimals: 1))</text>"#)
        }
        lines.append("  </g>")
        return lines
    }

    private func validate(_ poses: [Pose]) throws {
        let joints = jointNames.count
        guard !poses.isEmpty, joints > 0 else {
            throw STError.badInput(file: "skeleton figure", reason: "needs at least one pose and one joint "
                + "(got \(poses.count) poses, \(joints) joint names)")
        }
        for (a, b) in bones where !(0..<joints).contains(a) || !(0..<joints).contains(b) {
            throw STError.badInput(file: "skeleton figure", reason: "bone (\(a), \(b)) names a joint outside 0..<\(joints)")
        }
        for (index, pose) in poses.enumerated() {
            guard pose.positions.count == joints, pose.importance.count == joints else {
                throw STError.badInput(file: "skeleton figure", reason: "pose \(index) has \(pose.positions.count) "
                    + "positions and \(pose.importance.count) importances for \(joints) joints")
            }
            if let joint = pose.positions.firstIndex(where: { !$0.x.isFinite || !$0.y.isFinite }) {
                throw STError.badInput(file: "skeleton figure", reason: "pose \(index): joint \(joint) "
                    + "('\(jointNames[joint])') is at \(pose.positions[joint])")
            }
        }
    }

    /// The extent of `positions` and the middle of their bounding box.
    private static func bounds(of positions: [SIMD2<Float>]) -> (width: Double, height: Double, middle: SIMD2<Double>) {
        let xs = positions.map { Double($0.x) }, ys = positions.map { Double($0.y) }
        let (minX, maxX, minY, maxY) = (xs.min() ?? 0, xs.max() ?? 0, ys.min() ?? 0, ys.max() ?? 0)
        return (maxX - minX, maxY - minY, SIMD2((minX + maxX) / 2, (minY + maxY) / 2))
    }
}
