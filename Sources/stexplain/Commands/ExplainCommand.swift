import ArgumentParser
import Foundation
import STCore
import STExplain
import STIO
import STModels

/// `stexplain explain`: one or more methods on an input file (or on every file of a manifest),
/// written as DESIGN §6 describes, with an HTML report.
struct ExplainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "explain",
        abstract: "Explain a model's output for an input.",
        discussion: """
            Writes OUT/map.npy (the raw map at the layer's resolution, or the channel-reduced \
            input-level map), OUT/attribution.npy (input resolution) and OUT/summary.json; lrp-st \
            also writes OUT/spatial.npy and OUT/temporal.npy (seed 002's split). Pictures of the \
            first sample: OUT/overlay.png and OUT/frames/NNNN.png for clips and images, OUT/overlay.mp4 \
            OUT/overlay.gif and the chart OUT/frame_importance.svg for clips, \
            OUT/figure.png (input, relevance, spatial, temporal) for lrp-st, OUT/joint_time.png \
            and OUT/joints.svg for skeletons, the chart OUT/attention.svg for attention models. With several \
            methods each gets OUT/METHOD/. OUT/report.html shows them all (open it in a browser; \
            it loads nothing from the network), with the input's frames under OUT/input/.

            Methods: \(Method.allCases.map(\.rawValue).joined(separator: ", ")).

            Examples:
              stexplain explain --model models/r3d_small --input clip.npy --method gradcam --out out/r3d
              stexplain explain --model models/r3d_small --input clip.npy --method gradcam,gradcam++,layercam,lrp-st --out out/r3d
              stexplain explain --model models/stgcn_small --manifest skeletons.csv --method gradcam --target label --out out/ntu
              stexplain explain --model r3d_18 --weights r3d_18.safetensors --input video.mp4 --start 2 --frames 16 --method gradcam --out out/video
              stexplain explain --model r3d_18 --weights r3d_18.safetensors --input clip.npy --method gradcam++ --layer layer3 --out out
              stexplain explain --model models/stgcn_small --input skeleton.npy --method gradcam --target 3 --out out/stgcn
              stexplain explain --model models/posenet_small --input frames.npy --method gradcam --target loss:rotation --ground-truth pose.npy --out out/pose
            """)

    @Option(help: "Built-in architecture name, an ONNX file, a .safetensors file written by `stexplain train`, or a directory holding model.safetensors.")
    var model: String

    @OptionGroup(title: "ONNX models")
    var onnx: ONNXOptions

    @Option(help: "Weights (safetensors, PyTorch state_dict names) for an architecture name.")
    var weights: String?

    @Flag(help: "Load weights whose keys or shapes do not all match, listing the differences as warnings.")
    var nonStrict = false

    @Flag(help: "Use freshly initialised weights (for timing and testing).")
    var randomWeights = false

    @Option(help: "Input: a video (any format ffmpeg reads), an NTU .skeleton file, or a .npy tensor (N × C × T × H × W clips, N × C × H × W images, N × C × T × V × M skeletons).")
    var input: String?

    @Option(help: "CSV of 'path,label[,start]' lines instead of --input: each file explained into OUT/NAME/, with OUT/index.html linking the reports (start: seconds into a video).")
    var manifest: String?

    @Option(help: "Videos and .skeleton files: frames to read.")
    var frames = 16

    @Option(help: "Videos: start time in seconds.")
    var start: Double = 0

    @Option(help: "Videos: keep every n-th frame.")
    var frameStride = 1

    @Option(help: "Videos: explain every window of --frames frames this many frames apart (a batch of windows) instead of one clip.")
    var windowHop: Int?

    @Option(help: "Skeleton .npy arrays without the batch axis: tvc (T × V × C) or ctvm (C × T × V × M); nctvm checks a full batch.")
    var skeletonLayout: String?

    @Option(help: "Skeleton arrays: the joint count to expect.")
    var joints = 25

    @Option(help: "Videos: preprocessing preset (kinetics: 128×171 → 112 crop, mean/std; c3d: 128×171 → 112, BGR mean subtraction; none: RGB in [0, 1]).")
    var preset = "kinetics"

    @Option(help: "Methods, comma-separated; they share one forward pass (and the CAM family one reverse pass). Several methods write OUT/METHOD/.")
    var method: String = "gradcam"

    @Option(help: "Layer for CAM methods and guided Grad-CAM (default: the architecture's last feature layer).")
    var layer: String?

    @Option(help: "top, a class index, label (each --manifest line's label), labels:file.npy (one class per sample), prob[:class], attention:frame, output:i,j, translation, rotation, loss[:translation|rotation].")
    var target = "top"

    @Option(help: "Ground truth for --target loss (.npy of the model's output shape).")
    var groundTruth: String?

    @Option(help: "Integrated gradients: path points.")
    var steps = 50

    @Option(help: "Integrated gradients: quadrature (\(PathIntegration.allCases.map(\.rawValue).joined(separator: ", "))).")
    var integration = PathIntegration.gaussLegendre.rawValue

    @Option(help: "SmoothGrad: noisy copies.")
    var noiseSamples = 25

    @Option(help: "SmoothGrad: noise σ as a fraction of the input's range.")
    var noiseLevel: Float = 0.15

    @Option(help: "SmoothGrad: noise seed.")
    var seed: UInt64 = 0

    @Option(help: "Integrated gradients and occlusion: baseline value.")
    var baseline: Float = 0

    @Option(help: "Occlusion window over (T,H,W), (H,W) or (T,V), comma-separated.")
    var window: String?

    @Option(help: "Occlusion stride (default: the window).")
    var stride: String?

    @Option(help: "LRP composite or rule: \(LRPComposite.names.joined(separator: ", ")).")
    var composite = "epsilon-plus"

    @Flag(help: "LRP through average pooling: R/N to every input (seed 002) instead of in proportion to them.")
    var uniformAveragePooling = false

    @Option(help: "deep-taylor and epsilon-gamma-box: the input's box 'low,high' for zβ (default: each channel's minimum and maximum over the input).")
    var bounds: String?

    @Option(help: "Occlusion of skeletons by joint sets over all frames, e.g. '8,9,10,11;4,5,6,7' (joint indices).")
    var jointGroups: String?

    @Option(help: "Inputs per forward pass for integrated gradients, SmoothGrad and occlusion.")
    var batchSize = 16

    @Option(help: "With --manifest: explain only shard i of N ('i/N', 0-based, a contiguous block of lines); `stexplain merge` adds up the shards' joint_importance.json.")
    var shard: String?

    @Option(help: "Output directory.")
    var out: String

    @Flag(help: "With --manifest: continue a run that was stopped (killed, interrupted, out of time) in the same --out, explaining only the lines it had not finished. Without a run to continue, start one.")
    var resume = false

    @Flag(help: "Write the arrays and summary.json only: no pictures, videos or report.html (batch runs; with --manifest, index.html links each summary.json).")
    var noPictures = false

    @Flag(help: "Print summary.json (a list of them for several methods or a manifest) to standard output.")
    var json = false

    @Flag(help: "No progress bar and no warnings.")
    var quiet = false

    func run() throws {
        let methods = try Self.methods(method)
        if let manifest {
            guard input == nil else { throw STError.invalidRequest("give --input or --manifest, not both") }
            return try explainManifest(manifest, methods: methods)
        }
        guard let input else { throw STError.invalidRequest("give --input (a video, .skeleton or .npy file) or --manifest") }
        var tensor = try inputLoading(start: start).load(input)
        let explained = try loadModel(inputShape: tensor.shape, input: input)
        tensor = try ONNXModel.conformed(tensor, to: explained)
        let run = try ExplanationRun(tensor, inputPath: input, modelName: model, model: explained, methods: methods,
                                     target: try target(for: tensor), options: try options(for: tensor, label: methods.map(\.rawValue).joined(separator: ",")),
                                     pictures: !noPictures)
        try OutputDirectory.write(out, files: run.files)
        if json {
            if run.summaries.count == 1 { try JSONOutput.print(run.summaries[0]) } else { try JSONOutput.print(run.summaries) }
        }
    }

    /// `--manifest`: every listed input (of `--shard i/N` only, when given) into OUT/NAME/ (NAME:
    /// the file's name without extension, numbered when two share it), and OUT/index.html linking
    /// their reports. Skeleton models also get OUT/joint_importance.json, seed 000's per-class
    /// joint importance ψ_c of each method over the lines' labels (with `--target label` each map
    /// is of the labelled class, as in the seed); `stexplain merge` adds up the shards' files.
    ///
    /// The model is loaded once; the next inputs are decoded on a background thread while one is
    /// explained. Each line's folder appears whole (written aside, then renamed) and its record
    /// goes to OUT/.resume/, so a stopped run continues with `--resume`; the index, ψ_c and
    /// `--json` output are folded from the records at the end, so memory does not grow with the
    /// manifest. A failure of a fresh run removes everything it wrote.
    private func explainManifest(_ path: String, methods: [Method]) throws {
        let all = try EvaluationInputs.manifest(path)
        let entries = try shard.map { Array(all[try Shard($0).range(of: all.count)]) } ?? all
        var names: [String] = []
        for entry in entries { names.append(ReportIndex.directoryName(for: entry.path, taken: Set(names))) }
        let existed = FileManager.default.fileExists(atPath: out)
        let (folder, _) = try ResumeFolder.open(out: out, command: resumeKey, resume: resume)
        let pending = entries.indices.filter { !folder.contains(ManifestLineRecord.file($0)) }
        let progress = ProgressBar(label: "explain", total: entries.count, unit: "inputs", initial: entries.count - pending.count,
                                   enabled: !quiet)
        let interruption = Interruption.install()
        let inputs = ManifestInputs(pending.map { (inputLoading(start: entries[$0].start ?? start), entries[$0].path) })
        let decoded = Prefetch(count: pending.count, depth: 2) { try inputs.load($0) }
        defer { decoded.cancel() }
        var explained: ExplainedModel?
        try interruption.run(writingInto: out, existed: existed, progress: progress) {
            for (done, line) in pending.enumerated() {
                try interruption.check(kept: entries.count - pending.count + done, of: entries.count, unit: "inputs", in: out)
                let entry = entries[line]
                var tensor = try decoded.next()
                let model = try explained ?? loadModel(inputShape: tensor.shape, input: entry.path)
                tensor = try ONNXModel.conformed(tensor, to: model)
                explained = model
                let target = self.target == "label" ? Target.classIndex(entry.label) : try target(for: tensor)
                let run = try ExplanationRun(tensor, inputPath: entry.path, modelName: self.model, model: model, methods: methods,
                                             target: target, options: try options(for: tensor, label: nil), label: entry.label,
                                             pictures: !noPictures)
                try OutputDirectory.replace("\(out)/\(names[line])", files: run.files, staging: "\(folder.path)/\(names[line])")
                var record = try ManifestLineRecord(directory: names[line], path: entry.path, label: entry.label, run: run,
                                                    input: tensor, skeleton: model.inputKind == .skeleton)
                if noPictures { record.entry.report = methods.count == 1 ? "summary.json" : "\(methods[0].rawValue)/summary.json" }
                try folder.write(record, to: ManifestLineRecord.file(line))
                progress.update(entries.count - pending.count + done + 1)
            }
            progress.finish()
            let records: [ManifestLineRecord] = try entries.indices.map { line in
                guard let record: ManifestLineRecord = try folder.read(ManifestLineRecord.file(line)) else {
                    throw STError.badInput(file: "\(folder.path)/\(ManifestLineRecord.file(line))", reason: "missing")
                }
                return record
            }
            let title = "\(model) on \((path as NSString).lastPathComponent)" + (shard.map { " (shard \($0))" } ?? "")
            var files = ["index.html": Data(ReportIndex(title: title, entries: records.map(\.entry)).html.utf8)]
            if let importance = try ManifestLineRecord.jointImportance(records) {
                files["joint_importance.json"] = importance
            }
            try OutputDirectory.write(out, files: files)
            if json { print(ManifestLineRecord.summariesJSON(records)) }
        }
    }

    /// The options that decide the outputs: a run resumes only into a folder written with the same.
    private var resumeKey: [String: String] {
        ["--model": model, "--weights": weights ?? "", "--non-strict": "\(nonStrict)", "--random-weights": "\(randomWeights)",
         "--input-layout": onnx.inputLayout ?? "", "--token-grid": onnx.tokenGrid ?? "",
         "--class-tokens": onnx.classTokens.map(String.init) ?? "", "--manifest": manifest ?? "", "--frames": "\(frames)",
         "--start": "\(start)", "--frame-stride": "\(frameStride)", "--window-hop": windowHop.map(String.init) ?? "",
         "--skeleton-layout": skeletonLayout ?? "", "--joints": "\(joints)", "--preset": preset, "--method": method,
         "--layer": layer ?? "", "--target": target, "--ground-truth": groundTruth ?? "", "--steps": "\(steps)",
         "--integration": integration, "--noise-samples": "\(noiseSamples)", "--noise-level": "\(noiseLevel)",
         "--seed": "\(seed)", "--baseline": "\(baseline)", "--window": window ?? "", "--stride": stride ?? "",
         "--composite": composite, "--uniform-average-pooling": "\(uniformAveragePooling)", "--bounds": bounds ?? "",
         "--joint-groups": jointGroups ?? "", "--batch-size": "\(batchSize)", "--shard": shard ?? "",
         "--no-pictures": "\(noPictures)"]
    }

    private func inputLoading(start: Double) -> InputLoading {
        InputLoading(frames: frames, start: start, stride: frameStride, preset: preset, windowHop: windowHop,
                     skeletonLayout: skeletonLayout, joints: joints, quiet: quiet)
    }

    private func loadModel(inputShape: [Int], input: String) throws -> ExplainedModel {
        let loading = ModelLoading(model: model, weights: weights, strict: !nonStrict, randomWeights: randomWeights, onnx: onnx)
        let (explained, warnings) = try loading.load(inputShape: inputShape, input: input)
        if !quiet { for warning in warnings { FileHandle.standardError.write(Data("warning: \(warning)\n".utf8)) } }
        return explained
    }

    private func target(for tensor: Tensor) throws -> Target {
        guard target != "label" else { throw STError.invalidRequest("--target label needs --manifest (path,label lines)") }
        return try TargetParsing.parse(target, groundTruth: groundTruth, referenceFrames: max(tensor.shape[1] / 3 - 1, 1))
    }

    /// The explainer options from the command line; `label` names the progress bar (nil: none).
    private func options(for tensor: Tensor, label: String?) throws -> ExplainOptions {
        var options = ExplainOptions(layer: layer)
        options.steps = steps
        options.baseline = baseline
        options.occlusionWindow = try window.map { try Self.sizes($0, option: "--window") }
        options.occlusionStride = try stride.map { try Self.sizes($0, option: "--stride") }
        options.batchSize = batchSize
        guard let quadrature = PathIntegration(rawValue: integration) else {
            throw STError.invalidRequest("unknown --integration '\(integration)'; use "
                                         + PathIntegration.allCases.map(\.rawValue).joined(separator: ", "))
        }
        options.integration = quadrature
        options.composite = try LRPComposite.named(composite, bounds: try inputBounds(tensor))
        options.averagePoolingUniform = uniformAveragePooling
        options.noiseSamples = noiseSamples
        options.noiseLevel = noiseLevel
        options.seed = seed
        options.jointGroups = try jointGroups.map { text in
            try text.split(separator: ";").map { try Self.indices(String($0), option: "--joint-groups") }
        }
        if let label, !quiet {
            let progress = ProgressBar(label: label)
            options.progress = { done, total in progress.update(done, of: total) }
        }
        return options
    }

    /// `--method a,b,…`: each once, in the order given.
    static func methods(_ text: String) throws -> [Method] {
        var methods: [Method] = []
        for name in text.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) where !name.isEmpty {
            let method = try Method(named: name)
            if !methods.contains(method) { methods.append(method) }
        }
        guard !methods.isEmpty else { throw STError.invalidRequest("--method names no method") }
        return methods
    }

    /// zβ's box: `--bounds low,high`, or each channel's range over the input.
    private func inputBounds(_ tensor: Tensor) throws -> (low: [Float], high: [Float]) {
        if let bounds {
            guard let values = CommaSeparated.values(bounds, as: Float.self), values.count == 2, values[0] < values[1] else {
                throw STError.invalidRequest("--bounds takes 'low,high' with low < high, got '\(bounds)'")
            }
            return ([values[0]], [values[1]])
        }
        let (channels, inner) = (tensor.shape[1], tensor.shape.dropFirst(2).reduce(1, *))
        var low = [Float](repeating: .infinity, count: channels), high = [Float](repeating: -.infinity, count: channels)
        for (index, value) in tensor.scalars.enumerated() {
            let c = (index / inner) % channels
            low[c] = min(low[c], value)
            high[c] = max(high[c], value)
        }
        return (low, high)
    }

    private static func sizes(_ text: String, option: String) throws -> [Int] {
        let values = try indices(text, option: option)
        guard values.allSatisfy({ $0 >= 1 }) else {
            throw STError.invalidRequest("\(option) takes positive integers separated by commas, got '\(text)'")
        }
        return values
    }

    private static func indices(_ text: String, option: String) throws -> [Int] {
        guard let values = CommaSeparated.values(text, as: Int.self), !values.isEmpty, values.allSatisfy({ $0 >= 0 }) else {
            throw STError.invalidRequest("\(option) takes integers separated by commas, got '\(text)'")
        }
        return values
    }
}
