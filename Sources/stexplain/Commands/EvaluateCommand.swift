import ArgumentParser
import Foundation
import STCore
import STData
import STExplain
import STIO
import STMetrics
import STModels

/// `stexplain evaluate`: several methods × metrics over a labelled dataset.
struct EvaluateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "evaluate",
        abstract: "Score explanation methods on a labelled dataset.",
        discussion: """
            Explains every sample for its label with each method and scores the maps: masking \
            faithfulness (seed 000: accuracy with the top / bottom fractions of positions masked, \
            and β), deletion and insertion AUC, localisation against ground truth (pointing game, \
            relevance mass, relevance rank, top-k intersection, Otsu IoU), model-parameter \
            randomisation and max-sensitivity. Writes OUT/metrics.json, OUT/metrics.csv, \
            OUT/metrics.md and SVG charts (masking.svg, deletion.svg, insertion.svg, metrics.svg).

            Metrics: \(Metric.allCases.map(\.rawValue).joined(separator: ", ")) (default: all).

            Examples:
              stexplain evaluate --model models/stgcn_small --data skeleton-actions --count 270 --methods gradcam --metrics masking --importance class --out out/seed000
              stexplain evaluate --model models/r3d_small --data moving-shapes --count 160 --methods gradcam,saliency,lrp --out out/r3d
              stexplain evaluate --model st_gcn --weights w.safetensors --ntu nturgbd_skeletons/ --methods gradcam --metrics masking --out out/ntu
            """)

    @Option(help: "Built-in architecture name, an ONNX file, a .safetensors file written by `stexplain train`, or a directory holding model.safetensors.")
    var model: String

    @OptionGroup(title: "ONNX models")
    var onnx: ONNXOptions

    @Option(help: "Weights (safetensors, PyTorch state_dict names) for an architecture name.")
    var weights: String?

    @Option(help: "Built-in dataset: \(DatasetCatalog.names.joined(separator: ", ")).")
    var data: String?

    @Option(help: "Split of the built-in dataset: train, validation or test.")
    var split = "test"

    @Option(help: "Samples of the built-in dataset.")
    var count = 64

    @Option(help: "Seed of the built-in dataset.")
    var seed: UInt64 = 1

    @Option(help: "CSV manifest of 'path,label' lines (.npy samples or NTU .skeleton files).")
    var manifest: String?

    @Option(help: "Folder of NTU RGB+D .skeleton files, labelled by their action code Axxx.")
    var ntu: String?

    @Option(help: "Frames NTU .skeleton files are padded or cut to.")
    var frames = 300

    @Option(help: "Methods, comma-separated.")
    var methods = "gradcam"

    @Option(help: "Metrics, comma-separated, or 'all'.")
    var metrics = "all"

    @Option(help: "Layer for CAM methods (default: the architecture's last feature layer).")
    var layer: String?

    @Option(help: "Masked percentages, comma-separated.")
    var fractions = "10,50,90"

    @Option(help: "What masked positions hold: \(BaselinePreset.allCases.map(\.rawValue).joined(separator: ", ")).")
    var baseline = BaselinePreset.zero.rawValue

    @Option(help: "Masked positions: \(PerturbationUnit.allCases.map(\.rawValue).joined(separator: ", ")) (default: voxel, pixel or joint).")
    var unit: String?

    @Option(help: "Skeleton joint ranking for masking, deletion and insertion: 'sample' (each sample's own map) or 'class' (seed 000's ψ_c of the sample's class over the whole set).")
    var importance = "sample"

    @Option(help: "Deletion / insertion stages.")
    var steps = 16

    @Option(help: "Pointing-game tolerance in pixels or joints.")
    var tolerance = 0

    @Option(help: "k of the top-k intersection (default: the mean mask size).")
    var topK: Int?

    @Option(help: "Randomisation: cascading or independent.")
    var randomisation = ParameterRandomisation.Mode.cascading.rawValue

    @Option(help: "Samples the randomisation check and max-sensitivity use.")
    var sanitySamples = 8

    @Option(help: "Max-sensitivity: radius of the uniform input noise, in the input's units.")
    var sensitivityRadius: Float = 0.1

    @Option(help: "Max-sensitivity: noise draws per sample.")
    var sensitivityDraws = 5

    @Option(help: "Samples per explanation batch and inputs per forward pass.")
    var batchSize = 32

    @Option(help: "--importance class: ψ_c from a joint_importance.json (of `explain --manifest`, `evaluate` or `merge`) instead of from the evaluated samples; needed with --shard.")
    var classImportance: String?

    @Option(help: "Process shard i of N ('i/N', 0-based): a contiguous block of the samples; `stexplain merge` combines the shards' outputs.")
    var shard: String?

    @Option(help: "Output directory.")
    var out: String

    @Flag(help: "Continue a run that was stopped (killed, interrupted, out of time) in the same --out: only the batches it had not finished are computed, and the outputs equal those of an uninterrupted run. Without a run to continue, start one.")
    var resume = false

    @Flag(help: "Print metrics.json instead of the tables.")
    var json = false

    @Flag(help: "No progress bar and no tables on standard output.")
    var quiet = false

    func run() throws {
        let chosenMethods = try methods.split(separator: ",").map { try Method(named: String($0)) }
        var settings = EvaluationSettings(metrics: try chosenMetrics())
        settings.fractions = try percentages()
        settings.baseline = try choice(baseline, option: "--baseline")
        settings.unit = try unit.map { try choice($0, option: "--unit") }
        settings.steps = steps
        settings.pointingTolerance = tolerance
        settings.topK = topK
        settings.randomisation = try choice(randomisation, option: "--randomisation")
        settings.sanitySamples = sanitySamples
        settings.sensitivityRadius = sensitivityRadius
        settings.sensitivityDraws = sensitivityDraws
        settings.batchSize = batchSize
        guard ["sample", "class"].contains(importance) else {
            throw STError.invalidRequest("--importance takes 'sample' or 'class', got '\(importance)'")
        }
        let (inputs, source) = try evaluationInputs()
        let first = try inputs.batch(0..<1)
        let loading = ModelLoading(model: model, weights: weights, strict: true, randomWeights: false, onnx: onnx)
        let (explained, _) = try loading.load(inputShape: first.inputs.shape, input: source)
        _ = try Evaluator(model: explained, settings: settings).unit.axes(for: explained.inputKind)
        let usesClassImportance = importance == "class"
        if usesClassImportance, explained.inputKind != .skeleton || (settings.unit ?? .defaultUnit(for: .skeleton)) != .joint {
            throw STError.invalidRequest("--importance class ranks whole joints of skeletons (--unit joint)")
        }
        var options = ExplainOptions(layer: layer)
        options.batchSize = batchSize
        let (samples, isFirstShard) = try shardRange(count: inputs.count)
        let givenImportance = try classImportance.map { try ClassImportanceFile.read($0).accumulators(source: $0) }
        if shard != nil, usesClassImportance, givenImportance == nil {
            throw STError.invalidRequest("--importance class with --shard needs ψ_c over the whole set: --class-importance FILE "
                                         + "(joint_importance.json of `explain --manifest` shards after `stexplain merge`)")
        }
        if givenImportance != nil {
            for method in chosenMethods {
                _ = try methodImportance(method, given: givenImportance, computed: [:], classImportance: usesClassImportance)
            }
        }
        if !isFirstShard { settings.sanitySamples = 0 }
        let evaluator = Evaluator(model: explained, settings: settings)
        let batches = stride(from: samples.lowerBound, to: samples.upperBound, by: batchSize).map {
            $0..<min($0 + batchSize, samples.upperBound)
        }
        let steps = EvaluationStep.plan(methods: chosenMethods, batches: batches.count,
                                        computesImportance: usesClassImportance && givenImportance == nil)
        let existed = FileManager.default.fileExists(atPath: out)
        let (folder, resumed) = try ResumeFolder.open(out: out, command: resumeKey, resume: resume)
        var state: EvaluationCheckpoint = resumed ? try folder.read(EvaluationCheckpoint.file) ?? .init() : .init()
        let progress = ProgressBar(label: "evaluate", total: steps.count, unit: "batches", initial: state.nextStep,
                                   enabled: !quiet)
        let interruption = Interruption.install()
        try interruption.run(writingInto: out, existed: existed, progress: progress) {
            for (number, step) in steps.enumerated().dropFirst(state.nextStep) {
                try interruption.check(kept: number, of: steps.count, unit: "batches", in: out)
                let method = chosenMethods[step.method]
                let batch = try inputs.batch(batches[step.batch])
                switch step.phase {
                case .importance:
                    var accumulated = state.importance ?? JointImportance(joints: first.inputs.shape[3])
                    let explanation = try explain(batch.inputs, model: explained, method: method,
                                                  target: .classIndices(batch.labels), options: options)
                    try accumulated.add(explanation, input: batch.inputs, labels: batch.labels)
                    state.importance = step.isLast ? nil : accumulated
                    if step.isLast { state.computedImportance[method.rawValue] = accumulated }
                case .scores:
                    var scores = state.scores ?? MethodScores(method: method.rawValue)
                    let importance = try methodImportance(method, given: givenImportance, computed: state.computedImportance,
                                                          classImportance: usesClassImportance)
                    let maskingScores = importance.map { importance in
                        Tensor(shape: [batch.labels.count, importance.joints], scalars: batch.labels.flatMap {
                            importance.importance(of: $0) ?? Array(repeating: 0, count: importance.joints)
                        })
                    }
                    try evaluator.add(method: method, options: options, inputs: batch.inputs, labels: batch.labels,
                                      masks: batch.masks, maskingScores: maskingScores, to: &scores)
                    state.scores = step.isLast ? nil : scores
                    if step.isLast { state.results.append(scores) }
                }
                state.nextStep = number + 1
                try folder.write(state, to: EvaluationCheckpoint.file)
                releaseFreeHeapPages()
                progress.update(number + 1, detail: method.rawValue + (step.phase == .importance ? " ψ_c" : ""))
            }
        }
        progress.finish()
        let results = chosenMethods.map { method in
            state.results.first { $0.method == method.rawValue } ?? MethodScores(method: method.rawValue)
        }
        let report = try EvaluationReport(model: model, data: source, unit: evaluator.unit.rawValue, baseline: baseline,
                                          fractions: settings.fractions, scores: results)
        var files = try report.files()
        if !state.computedImportance.isEmpty {
            let names = try SkeletonLayout.forJointCount(first.inputs.shape[3]).jointNames
            files["joint_importance.json"] = try ClassImportanceFile(jointNames: names, accumulators: state.computedImportance).data
        }
        try OutputDirectory.write(out, files: files)
        if json {
            print(String(decoding: try JSONOutput.encode(report), as: UTF8.self))
        } else if !quiet {
            print(report.markdown)
        }
    }

    /// The options that decide the results: a run resumes only into a folder written with the same.
    private var resumeKey: [String: String] {
        ["--model": model, "--weights": weights ?? "", "--input-layout": onnx.inputLayout ?? "",
         "--token-grid": onnx.tokenGrid ?? "", "--class-tokens": onnx.classTokens.map(String.init) ?? "",
         "--data": data ?? "", "--split": split, "--count": "\(count)", "--seed": "\(seed)", "--manifest": manifest ?? "",
         "--ntu": ntu ?? "", "--frames": "\(frames)", "--methods": methods, "--metrics": metrics, "--layer": layer ?? "",
         "--fractions": fractions, "--baseline": baseline, "--unit": unit ?? "", "--importance": importance,
         "--steps": "\(steps)", "--tolerance": "\(tolerance)", "--top-k": topK.map(String.init) ?? "",
         "--randomisation": randomisation, "--sanity-samples": "\(sanitySamples)",
         "--sensitivity-radius": "\(sensitivityRadius)", "--sensitivity-draws": "\(sensitivityDraws)",
         "--batch-size": "\(batchSize)", "--class-importance": classImportance ?? "", "--shard": shard ?? ""]
    }

    /// ψ_c for `--importance class`: the given file's, or the one computed in this run's first pass.
    private func methodImportance(_ method: Method, given: [String: JointImportance]?, computed: [String: JointImportance],
                                  classImportance: Bool) throws -> JointImportance? {
        guard classImportance else { return nil }
        guard let given, let path = self.classImportance else { return computed[method.rawValue] }
        guard let importance = given[method.rawValue] else {
            throw STError.badInput(file: path, reason: "holds no joint importance for \(method.rawValue)")
        }
        return importance
    }

    /// The samples of `--shard i/N` and whether the shard holds sample 0 (only that shard runs
    /// the randomisation and sensitivity checks, on the first samples, so the merged shards equal
    /// one run).
    private func shardRange(count: Int) throws -> (Range<Int>, Bool) {
        guard let shard else { return (0..<count, true) }
        let parsed = try Shard(shard)
        return (parsed.range(of: count), parsed.index == 0)
    }

    /// The samples and a name for them in messages and the report.
    private func evaluationInputs() throws -> (EvaluationInputs, String) {
        switch (data, manifest, ntu) {
        case (let name?, nil, nil):
            let chosen = try Split(named: split)
            guard count >= 1 else { throw STError.invalidRequest("--count must be at least 1") }
            return (.dataset(try DatasetCatalog.dataset(name, split: chosen, count: count, seed: seed)),
                    "\(name) (\(split), \(count) samples, seed \(seed))")
        case (nil, let path?, nil):
            return (.files(try EvaluationInputs.manifest(path).map { ($0.path, $0.label) }, skeletonFrames: frames), path)
        case (nil, nil, let path?):
            return (.files(try EvaluationInputs.ntuFolder(path), skeletonFrames: frames), path)
        default:
            throw STError.invalidRequest("give exactly one of --data, --manifest and --ntu")
        }
    }

    private func chosenMetrics() throws -> [Metric] {
        if metrics == "all" { return Metric.allCases }
        return try metrics.split(separator: ",").map { name in
            try choice(String(name), option: "--metrics")
        }
    }

    private func percentages() throws -> [Double] {
        guard let values = CommaSeparated.values(fractions, as: Double.self), !values.isEmpty,
              values.allSatisfy({ (0...100).contains($0) }) else {
            throw STError.invalidRequest("--fractions takes percentages in 0…100 separated by commas, got '\(fractions)'")
        }
        return values.map { $0 / 100 }
    }

    private func choice<Value: RawRepresentable & CaseIterable>(_ text: String, option: String) throws -> Value where Value.RawValue == String {
        guard let value = Value(rawValue: text) else {
            throw STError.invalidRequest("unknown \(option) '\(text)'; use " + Value.allCases.map(\.rawValue).joined(separator: ", "))
        }
        return value
    }
}
