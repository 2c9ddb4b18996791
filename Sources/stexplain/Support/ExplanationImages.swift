import Foundation
import STCore
import STExplain
import STIO
import STModels
import STRender

/// The pictures `stexplain explain` writes beside the arrays, for the first sample:
/// - clips and images: `overlay.png` (the input frames above the map laid over them) and
///   `frames/NNNN.png` (each overlaid frame); clips also `overlay.mp4` and `overlay.gif` (input |
///   map side by side, 8 frames per second) and `frame_importance.svg` (each frame's share of |map|);
/// - `lrp-st`: `figure.png`, seed 002's rows of input, relevance, spatial and temporal parts;
/// - skeletons: `joint_time.png`, the joint × time heatmap with the joints named, and
///   `joints.svg`, seed 000's pose figure with joint discs sized by importance;
/// - attention models: `attention.svg`, the per-frame attention weights.
/// Charts are SVG documents; the pictures of pixels are PNG files.
/// Signed maps (CAM, HiResCAM, integrated gradients, occlusion, LRP) are drawn red (+) / white /
/// blue (−), the others in jet.
enum ExplanationImages {
    static func files(_ explanation: Explanation, method: Method, input: Tensor, kind: InputKind) throws -> [String: Data] {
        switch kind {
        case .skeleton:
            return ["joint_time.png": try jointTime(explanation, method: method).pngData(),
                    "joints.svg": Data(try skeletonFigure(explanation, input: input).utf8)]
        case .video, .image:
            let (frames, scale) = try displayFrames(input, kind: kind)
            let maps = Self.firstSampleFrames(method.hasFeatureResolutionMap ? explanation.attribution : explanation.map, frames: frames.count)
            let signed = method.isSigned
            let cells = try ClipFigure.cells(frames: frames, row: .init(name: method.rawValue, maps: maps, signed: signed))
            var files = ["overlay.png": try ClipFigure.render([("input", frames), (method.rawValue, cells)], scale: scale).pngData()]
            for (t, cell) in cells.enumerated() {
                files[String(format: "frames/%04d.png", t)] = try cell.scaled(by: scale).pngData()
            }
            if let weights = explanation.attentionWeights {
                let perFrame = Array(weights.plain().scalars.prefix(weights.count / weights.shape[0]))
                files["attention.svg"] = Data(try AttentionChart.svg(weights: perFrame).utf8)
            }
            if kind == .video, frames.count > 1 {
                files["frame_importance.svg"] = Data(try frameImportance(maps, method: method).utf8)
                let sideBySide = zip(frames, cells).map { frame, cell in
                    RGBImage.horizontallyConcatenated([frame.scaled(by: scale), cell.scaled(by: scale)], spacing: 2)
                }
                let (mp4, gif) = try encodedVideos(sideBySide)
                files["overlay.mp4"] = mp4
                files["overlay.gif"] = gif
            }
            if let split = explanation.freezeFrames {
                let channelSum = { (tensor: Tensor) in Self.firstSampleFrames(ChannelReduction.sum.reduce(tensor, kind: .video), frames: frames.count) }
                files["figure.png"] = try ClipFigure.render(frames: frames, rows: [
                    .init(name: "input"),
                    .init(name: "relevance", maps: channelSum(split.original), signed: true),
                    .init(name: "spatial", maps: channelSum(split.spatial), signed: true),
                    .init(name: "temporal", maps: channelSum(split.temporal), signed: true),
                ], scale: scale).pngData()
            }
            return files
        }
    }

    /// Sample 0's frames as the pictures show them (`input/NNNN.png`, scaled as the maps are).
    static func inputFrames(_ input: Tensor, kind: InputKind) throws -> [String: Data] {
        let (frames, scale) = try displayFrames(input, kind: kind)
        var files: [String: Data] = [:]
        for (t, frame) in frames.enumerated() {
            files[String(format: "input/%04d.png", t)] = try frame.scaled(by: scale).pngData()
        }
        return files
    }

    /// Sample 0's frames as RGB pictures (images as one frame, the first three channels of
    /// stacked inputs) and the factor that scales them to about 128 pixels high.
    static func displayFrames(_ input: Tensor, kind: InputKind) throws -> (frames: [RGBImage], scale: Int) {
        let clip = kind == .image ? input.reshaped([input.shape[0], input.shape[1], 1] + input.shape.dropFirst(2)) : input
        let frames = try ClipFigure.displayFrames(Self.firstChannels(clip), sample: 0)
        return (frames, max(1, 128 / max(frames[0].height, 1)))
    }

    /// The frames as MP4 and as GIF, the two ffmpeg runs side by side.
    static func encodedVideos(_ images: [RGBImage]) throws -> (mp4: Data, gif: Data) {
        let formats: [VideoWriter.Format] = [.mp4, .gif]
        let lock = NSLock()
        nonisolated(unsafe) var results: [Result<Data, any Error>?] = [nil, nil]
        DispatchQueue.concurrentPerform(iterations: formats.count) { index in
            let result = Result { try encodedVideo(images, format: formats[index]) }
            lock.withLock { results[index] = result }
        }
        return (try results[0]!.get(), try results[1]!.get())
    }

    /// Frames encoded by ffmpeg at 8 frames per second, through a temporary file.
    static func encodedVideo(_ images: [RGBImage], format: VideoWriter.Format) throws -> Data {
        let path = NSTemporaryDirectory() + "stexplain-\(UUID().uuidString).\(format == .gif ? "gif" : "mp4")"
        defer { try? FileManager.default.removeItem(atPath: path) }
        let frames = try images.map { try VideoFrame(width: $0.width, height: $0.height, pixels: $0.pixels) }
        try VideoWriter.write(frames, to: path, framesPerSecond: 8, format: format)
        return try Data(contentsOf: URL(fileURLWithPath: path))
    }

    /// Per-frame importance: each frame's share of the clip's total |map|, as a bar chart (SVG).
    static func frameImportance(_ maps: [[Float]], method: Method) throws -> String {
        let totals = maps.map { $0.reduce(0) { $0 + Double(abs($1)) } }
        let sum = totals.reduce(0, +)
        var chart = BarChart(title: "Frame importance (\(method.rawValue))", xLabel: "frame", yLabel: "share of |map|",
                             categories: totals.indices.map(String.init),
                             series: [BarChart.Series(name: method.rawValue, values: totals.map { sum > 0 ? $0 / sum : 0 })])
        chart.showsValueLabels = false
        chart.height = 320
        return try chart.svg()
    }

    /// The frames of sample 0 of (N, T, H, W) maps, each row-major H × W.
    static func firstSampleFrames(_ maps: Tensor, frames: Int) -> [[Float]] {
        let size = maps.count / maps.shape[0] / frames
        let values = maps.plain().scalars
        return (0..<frames).map { Array(values[($0 * size)..<(($0 + 1) * size)]) }
    }

    /// The first three channels of (N, C, T, H, W) when C > 3 (e.g. PoseNet's stacked frames).
    static func firstChannels(_ clip: Tensor) -> Tensor {
        guard clip.shape[1] > 3 else { return clip }
        let (samples, channels) = (clip.shape[0], clip.shape[1])
        let inner = clip.count / (samples * channels)
        let values = clip.plain().scalars
        var kept: [Float] = []
        for n in 0..<samples { kept += values[(n * channels * inner)..<((n * channels + 3) * inner)] }
        return Tensor(shape: [samples, 3] + clip.shape.dropFirst(2), scalars: kept)
    }

    /// Seed 000's figure for sample 0: its first person's pose at four moments of its valid
    /// frames, each joint's disc sized and coloured by the heatmap there (min–max over the sample).
    static func skeletonFigure(_ explanation: Explanation, input: Tensor) throws -> String {
        let maps = explanation.attribution.rank == 3 ? explanation.attribution : explanation.map
        let (frames, joints) = (maps.shape[1], maps.shape[2])
        let heat = Colormap.normalisedMinMax(Array(maps.plain().scalars.prefix(frames * joints)))
        let valid = max(1, min(JointImportance.validFrames(of: input)[0], frames))
        let (inputFrames, persons) = (input.shape[2], input.shape[4])
        let x = input.plain().scalars
        let coordinate = { (c: Int, t: Int, v: Int) in x[((c * inputFrames + t) * joints + v) * persons] }
        let moments = Array(Set((0..<4).map { $0 * (valid - 1) / 3 })).sorted()
        let poses = moments.map { t in
            SkeletonFigure.Pose(positions: (0..<joints).map { SIMD2(coordinate(0, t, $0), coordinate(1, t, $0)) },
                                importance: Array(heat[(t * joints)..<((t + 1) * joints)]), caption: "t = \(t)")
        }
        let layout = joints == 25 ? SkeletonLayout.ntuRGBD : nil
        let figure = SkeletonFigure(jointNames: layout?.jointNames ?? (0..<joints).map { "joint \($0)" },
                                    bones: layout?.edges ?? [], caption: "joint importance at four moments (first person)")
        return try figure.svg(poses)
    }

    /// Joints as rows (named), frames as columns, 8 × 8 pixels a cell, jet over the sample's range.
    static func jointTime(_ explanation: Explanation, method: Method) throws -> RGBImage {
        let maps = explanation.attribution.rank == 3 ? explanation.attribution : explanation.map
        let (frames, joints) = (maps.shape[1], maps.shape[2])
        let sample = Array(maps.plain().scalars.prefix(frames * joints))
        let transposed = (0..<(joints * frames)).map { i in sample[(i % frames) * joints + i / frames] }
        let normalised = method.isSigned ? Colormap.normalisedSymmetric(transposed) : Colormap.normalisedMinMax(transposed)
        let heat = try Overlay.heatmap(normalised, width: frames, height: joints, colormap: method.isSigned ? .redWhiteBlue : .jet)
            .scaled(by: 8)
        let names = joints == 25 ? SkeletonLayout.ntuRGBD.jointNames : (0..<joints).map { "joint \($0)" }
        let labelWidth = (names.map { BitmapFont.textWidth($0) }.max() ?? 0) + 8
        var image = RGBImage(width: labelWidth + heat.width, height: heat.height + 16)
        for (v, name) in names.enumerated() { image.drawText(name, at: (x: 2, y: v * 8), colour: .black) }
        image.paste(heat, x: labelWidth, y: 0)
        image.drawText("time ->", at: (x: labelWidth, y: heat.height + 4), colour: .black)
        return image
    }
}
