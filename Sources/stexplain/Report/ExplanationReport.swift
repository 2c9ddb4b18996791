import Foundation
import STCore
import STExplain
import STModels
import STRender

/// `report.html` of one `stexplain explain` run: the model's prediction, the input, and for each
/// method its map over the frames (one slider for all of them), its overlay video, the per-frame
/// importance strip, and whatever else it drew — seed 002's rows for `lrp-st`, the joint × time
/// heatmap and an animated skeleton with joint discs sized by importance for skeletons, the
/// attention weights. Every picture is a file beside the page; the page loads nothing else.
struct ExplanationReport {
    /// One method's explanation and where its files are, relative to the report.
    struct Run {
        let explanation: Explanation
        /// "" when the run's files sit beside the report, else "METHOD/".
        let directory: String
        let files: Set<String>
    }

    let model: String
    let input: String
    let inputShape: [Int]
    let kind: InputKind
    /// The ground-truth class, when a manifest gave one.
    let label: Int?
    let runs: [Run]
    /// Frames of the input written beside the report as `input/NNNN.png` (clips and images).
    let inputFrames: Int
    /// Skeletons: sample 0's first person per valid frame and the joints' importance per method.
    let skeleton: SkeletonAnimation?

    var html: String {
        var body = facts + prediction
        body += slider
        if inputFrames > 0 {
            body += "<h2>Input</h2>\n<div class=\"row\">" + HTML.image("input/0000.png", alt: "input frame", cssClass: "frame pixel", frames: "input/")
                + "</div>\n"
        }
        for run in runs { body += section(run) }
        return HTML.page(title: "\(model) on \((input as NSString).lastPathComponent)", body: body,
                         script: frameCount > 1 ? ReportScript.frameSlider : nil)
    }

    private var frameCount: Int {
        if let skeleton { return skeleton.frames.count }
        return inputFrames
    }

    private var facts: String {
        let first = runs[0].explanation
        var rows = [["model", model], ["input", input], ["input shape", "\(inputShape)"],
                    ["target", first.targetDescription]]
        if let label { rows.append(["label", "\(label)"]) }
        if inputShape[0] > 1 { rows.append(["pictures", "sample 0 of \(inputShape[0])"]) }
        return "<table class=\"facts\"><tbody>" + rows.map { "<tr><th>\(MarkupText.escaped($0[0]))</th><td>\(MarkupText.escaped($0[1]))</td></tr>" }
            .joined() + "</tbody></table>\n" + HTML.table(["method", "layer", "score", "seconds"], runs.map { run in
                let e = run.explanation
                return [e.method.rawValue, e.layer ?? "input", e.scores.first.map { String(format: "%.4g", $0) } ?? "–",
                        String(format: "%.3f", e.seconds)]
            }, caption: "Methods")
    }

    private var prediction: String {
        guard let top = runs[0].explanation.topK.first, !top.isEmpty else { return "" }
        return "<h2>Prediction</h2>\n" + HTML.table(["rank", "class", "score", "probability"], top.enumerated().map {
            ["\($0.offset + 1)", "\($0.element.class)", String(format: "%.4g", $0.element.score),
             String(format: "%.3f", $0.element.probability)]
        })
    }

    private var slider: String {
        guard frameCount > 1 else { return "" }
        var html = "<div class=\"player\"><button id=\"play\" type=\"button\">play</button>"
            + "<input id=\"frame\" type=\"range\" min=\"0\" max=\"\(frameCount - 1)\" value=\"0\">"
            + "<span id=\"frame-label\">frame 0</span></div>\n"
        if let skeleton { html += "<script type=\"application/json\" id=\"skeleton-data\">\(skeleton.json)</script>\n" }
        return html
    }

    private func section(_ run: Run) -> String {
        let (e, d) = (run.explanation, run.directory)
        let name = e.method.rawValue
        var html = "<h2 id=\"\(MarkupText.escaped(name))\">\(MarkupText.escaped(name))</h2>\n<div class=\"row\">"
        if run.files.contains("frames/0000.png") {
            html += "<figure>" + HTML.image("\(d)frames/0000.png", alt: "\(name) map", cssClass: "frame pixel", frames: "\(d)frames/")
                + "<figcaption>map over the frame (slider)</figcaption></figure>"
        }
        if run.files.contains("overlay.mp4") {
            html += "<figure><video class=\"frame\" src=\"\(MarkupText.escaped(d))overlay.mp4\" controls loop muted></video>"
                + "<figcaption>input | map, 8 frames/s (<a href=\"\(MarkupText.escaped(d))overlay.gif\">GIF</a>)</figcaption></figure>"
        }
        if skeleton != nil {
            html += "<figure><svg data-skeleton=\"\(MarkupText.escaped(name))\" viewBox=\"-0.1 -0.1 1.2 1.2\" width=\"260\" height=\"260\"></svg>"
                + "<figcaption>joint discs sized by importance (slider)</figcaption></figure>"
        }
        html += "</div>\n"
        for (file, caption) in [("frame_importance.svg", "each frame's share of |map|"),
                                ("figure.png", "seed 002: input, relevance, spatial and temporal parts"),
                                ("joint_time.png", "joint × time heatmap"), ("attention.svg", "per-frame attention weights"),
                                ("overlay.png", "input frames above the map")] where run.files.contains(file) {
            let cssClass = file.hasSuffix(".png") ? "chart pixel" : "chart"  // pixels stay sharp, vector charts scale
            html += "<figure>" + HTML.image(d + file, alt: caption, cssClass: cssClass) + "<figcaption>\(MarkupText.escaped(caption))</figcaption></figure>\n"
        }
        if run.files.contains("joints.svg") {
            html += "<figure>" + HTML.image(d + "joints.svg", alt: "pose figure", cssClass: "chart")
                + "<figcaption>seed 000's pose figure at four moments</figcaption></figure>\n"
        }
        if let split = e.freezeFrames {
            html += "<p>Freeze-clip predictions per frame: \(MarkupText.escaped(split.freezeFramePredictions[0].map(String.init).joined(separator: " ")))</p>\n"
        }
        html += "<p>Files: " + ["map.npy", "attribution.npy", "summary.json", "spatial.npy", "temporal.npy"]
            .filter(run.files.contains).map { "<a href=\"\(MarkupText.escaped(d + $0))\">\($0)</a>" }.joined(separator: ", ") + "</p>\n"
        return html
    }
}

/// Sample 0's first person as the report animates it: x and y of every joint per valid frame,
/// scaled into the unit square and centred (y up), the bones, and each method's joint importance per frame,
/// min–max normalised over the sample.
struct SkeletonAnimation: Encodable {
    let joints: [String]
    let bones: [[Int]]
    let frames: [[[Float]]]
    let importance: [String: [[Float]]]

    init(input: Tensor, explanations: [Explanation], layout: SkeletonLayout?) {
        let (inputFrames, jointCount, persons) = (input.shape[2], input.shape[3], input.shape[4])
        let valid = max(1, JointImportance.validFrames(of: input)[0])
        let x = input.plain().scalars
        let point = { (t: Int, v: Int) in SIMD2(x[(t * jointCount + v) * persons], x[((inputFrames + t) * jointCount + v) * persons]) }
        let points = (0..<valid).flatMap { t in (0..<jointCount).map { point(t, $0) } }
        let low = points.reduce(SIMD2(Float.infinity, .infinity)) { pointwiseMin($0, $1) }
        let high = points.reduce(SIMD2(-Float.infinity, -.infinity)) { pointwiseMax($0, $1) }
        let extent = max(high.x - low.x, high.y - low.y, 1e-6)
        frames = (0..<valid).map { t in
            (0..<jointCount).map { v in
                let p = point(t, v)
                let x = (p.x - low.x + (extent - (high.x - low.x)) / 2) / extent
                let y = (high.y - p.y + (extent - (high.y - low.y)) / 2) / extent
                return [(x * 1000).rounded() / 1000, (y * 1000).rounded() / 1000]
            }
        }
        joints = layout?.jointNames ?? (0..<jointCount).map { "joint \($0)" }
        bones = (layout?.edges ?? []).map { [$0.0, $0.1] }
        var importance: [String: [[Float]]] = [:]
        for explanation in explanations {
            let maps = explanation.attribution.rank == 3 ? explanation.attribution : explanation.map
            let mapFrames = maps.shape[1]
            let sample = Array(maps.plain().scalars.prefix(mapFrames * jointCount))
            let (lowest, highest) = (sample.min() ?? 0, sample.max() ?? 0)
            importance[explanation.method.rawValue] = (0..<valid).map { t in
                let row = min(t * mapFrames / inputFrames, mapFrames - 1)
                return (0..<jointCount).map { v in
                    highest > lowest ? ((sample[row * jointCount + v] - lowest) / (highest - lowest) * 1000).rounded() / 1000 : 0
                }
            }
        }
        self.importance = importance
    }

    /// The JSON the report's script reads (safe inside a `<script>` element: no `<`).
    var json: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let text = String(decoding: (try? encoder.encode(self)) ?? Data("{}".utf8), as: UTF8.self)
        return text.replacingOccurrences(of: "<", with: "\\u003c")
    }
}
