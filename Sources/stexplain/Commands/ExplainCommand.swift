import ArgumentParser
import Foundation
import Logging
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

    @OptionGroup(title: "Model")
    var model: ModelOptions

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
    var skeletonLayout: SkeletonArray.Layout?

    @Option(help: "Skeleton arrays: the joint count to expect.")
    var joints = 25

    @Option(help: "Videos: preprocessing preset (kinetics: 128×171 → 112 crop, mean/std; c3d: 128×171 → 112, BGR mean subtraction; none: RGB in [0, 1]).")
    var preset = VideoPreset.kinetics

    @OptionGroup(title: "Methods")
    var selection: MethodSelection

    @Option(help: "top, a class index, label (each --manifest line's label), labels:file.npy (one class per sample), prob[:class], attention:frame, output:i,j, translation, rotation, loss[:translation|rotation].")
    var target = "top"

    @Option(help: "Ground truth for --target loss (.npy of the model's output shape).")
    var groundTruth: String?

    @OptionGroup(title: "Method settings")
    var settings: MethodSettings

    @OptionGroup(title: "Batches and shards")
    var batches: BatchOptions

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

    @Flag(help: "Also report what was loaded and how long each method took.")
    var verbose = false

    func run() throws {
        let methods = selection.methods.elements
        if let manifest {
            guard input == nil else { throw STError.invalidRequest("give --input or --manifest, not both") }
            return try explainManifest(manifest, methods: methods)
        }
        guard let input else { throw STError.invalidRequest("give --input (a video, .skeleton or .npy file) or --manifest") }
        var tensor = try inputLoading(start: start).load(input)
        let explained = try loadModel(inputShape: tensor.shape, input: input)
        tensor = try ONNXModel.conformed(tensor, to: explained)
        let run = try ExplanationRun(tensor, inputPath: input, modelName: model.model, model: explained,
                                     explainers: try explainers(methods, for: tensor, progressLabel: selection.methods.defaultValueDescription),
                                     target: try target(for: tensor), pictures: !noPictures, log: log)
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
        let entries = batches.shard.map { Array(all[$0.range(of: all.count)]) } ?? all
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
                let run = try ExplanationRun(tensor, inputPath: entry.path, modelName: self.model.model, model: model,
                                             explainers: try explainers(methods, for: tensor, progressLabel: nil), target: target,
                                             label: entry.label, pictures: !noPictures, log: log)
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
            let title = "\(model.model) on \((path as NSString).lastPathComponent)"
                + (batches.shard.map { " (shard \($0.defaultValueDescription))" } ?? "")
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
        model.resumeKey.merging(selection.resumeKey) { $1 }.merging(settings.resumeKey) { $1 }
            .merging(batches.resumeKey(defaultBatchSize: Self.batchSize)) { $1 }
            .merging(["--manifest": manifest ?? "", "--frames": "\(frames)", "--start": "\(start)",
                      "--frame-stride": "\(frameStride)", "--window-hop": windowHop.map(String.init) ?? "",
                      "--skeleton-layout": skeletonLayout?.defaultValueDescription ?? "", "--joints": "\(joints)", "--preset": preset.rawValue,
                      "--target": target, "--ground-truth": groundTruth ?? "", "--no-pictures": "\(noPictures)"]) { $1 }
    }

    /// Inputs per forward pass when `--batch-size` is not given.
    static let batchSize = 16

    private var log: Logger { .stexplain(quiet: quiet, verbose: verbose) }

    private func inputLoading(start: Double) -> InputLoading {
        InputLoading(frames: frames, start: start, stride: frameStride, preset: preset, windowHop: windowHop,
                     skeletonLayout: skeletonLayout, joints: joints, log: log)
    }

    private func loadModel(inputShape: [Int], input: String) throws -> ExplainedModel {
        try model.load(inputShape: inputShape, input: input, log: log)
    }

    private func target(for tensor: Tensor) throws -> Target {
        guard target != "label" else { throw STError.invalidRequest("--target label needs --manifest (path,label lines)") }
        return try TargetParsing.parse(target, groundTruth: groundTruth, referenceFrames: max(tensor.shape[1] / 3 - 1, 1))
    }

    /// The explainers of `methods` with the command line's settings; `progressLabel` names the
    /// progress bar of the methods that run many copies (nil: none).
    private func explainers(_ methods: [Method], for tensor: Tensor, progressLabel: String?) throws -> [any Explainer] {
        var batching = Batching(size: batches.batchSize ?? Self.batchSize)
        if let progressLabel, !quiet {
            let progress = ProgressBar(label: progressLabel)
            batching.progress = { done, total in progress.update(done, of: total) }
        }
        return try methods.map { try settings.explainer(for: $0, layer: selection.layer, input: tensor, batching: batching) }
    }
}
