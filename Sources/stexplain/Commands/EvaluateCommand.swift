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

    @OptionGroup(title: "Model")
    var model: ModelOptions

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

    @OptionGroup(title: "Methods")
    var selection: MethodSelection

    @Option(help: "Metrics, comma-separated, or 'all'.")
    var metrics = MetricSelection.all

    @Option(help: "Masked percentages, comma-separated.")
    var fractions = "10,50,90"

    @Option(help: "What masked positions hold.")
    var baseline = BaselinePreset.zero

    @Option(help: "Masked positions (default: voxel, pixel or joint).")
    var unit: PerturbationUnit?

    @Option(help: "Skeleton joint ranking for masking, deletion and insertion: 'sample' (each sample's own map) or 'class' (seed 000's ψ_c of the sample's class over the whole set).")
    var importance = "sample"

    @Option(help: "Deletion / insertion stages.")
    var steps = 16

    @Option(help: "Pointing-game tolerance in pixels or joints.")
    var tolerance = 0

    @Option(help: "k of the top-k intersection (default: the mean mask size).")
    var topK: Int?

    @Option(help: "Randomisation of the model's layers, from the top.")
    var randomisation = ParameterRandomisation.Mode.cascading

    @Option(help: "Samples the randomisation check and max-sensitivity use.")
    var sanitySamples = 8

    @Option(help: "Max-sensitivity: radius of the uniform input noise, in the input's units.")
    var sensitivityRadius: Float = 0.1

    @Option(help: "Max-sensitivity: noise draws per sample.")
    var sensitivityDraws = 5

    @Option(help: "--importance class: ψ_c from a joint_importance.json (of `explain --manifest`, `evaluate` or `merge`) instead of from the evaluated samples; needed with --shard.")
    var classImportance: String?

    @OptionGroup(title: "Batches and shards")
    var batches: BatchOptions

    @Option(help: "Output directory.")
    var out: String

    @Flag(help: "Continue a run that was stopped (killed, interrupted, out of time) in the same --out: only the batches it had not finished are computed, and the outputs equal those of an uninterrupted run. Without a run to continue, start one.")
    var resume = false

    @Flag(help: "Print metrics.json instead of the tables.")
    var json = false

    @Flag(help: "No progress bar and no tables on standard output.")
    var quiet = false

    @Flag(help: "Also report what was loaded.")
    var verbose = false

    /// Samples per explanation batch when `--batch-size` is not given.
    static let batchSize = 32

    func run() throws {
        let chosenMethods = selection.methods.elements
        let batchSize = batches.batchSize ?? Self.batchSize
        var settings = EvaluationSettings(metrics: metrics.metrics)
        settings.fractions = try percentages()
        settings.baseline = baseline
        settings.unit = unit
        settings.steps = steps
        settings.pointingTolerance = tolerance
        settings.topK = topK
        settings.randomisation = randomisation
        settings.sanitySamples = sanitySamples
        settings.sensitivityRadius = sensitivityRadius
        settings.sensitivityDraws = sensitivityDraws
        settings.batchSize = batchSize
        guard ["sample", "class"].contains(importance) else {
            throw STError.invalidRequest("--importance takes 'sample' or 'class', got '\(importance)'")
        }
        let (inputs, source) = try evaluationInputs()
        let first = try inputs.batch(0..<1)
        let explained = try model.load(inputShape: first.inputs.shape, input: source, log: .stexplain(quiet: quiet, verbose: verbose))
        _ = try Evaluator(model: explained, settings: settings).unit.axes(for: explained.inputKind)
        let usesClassImportance = importance == "class"
        if usesClassImportance, explained.inputKind != .skeleton || (settings.unit ?? .defaultUnit(for: .skeleton)) != .joint {
            throw STError.invalidRequest("--importance class ranks whole joints of skeletons (--unit joint)")
        }
        let explainers = chosenMethods.map { $0.explainer(layer: selection.layer, batching: Batching(size: batchSize)) }
        let (samples, isFirstShard) = try shardRange(count: inputs.count)
        let givenImportance = try classImportance.map { try ClassImportanceFile.read($0).accumulators(source: $0) }
        if batches.shard != nil, usesClassImportance, givenImportance == nil {
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
                let (method, explainer) = (chosenMethods[step.method], explainers[step.method])
                let batch = try inputs.batch(batches[step.batch])
                switch step.phase {
                case .importance:
                    var accumulated = state.importance ?? JointImportance(joints: first.inputs.shape[3])
                    let explanation = try explain(batch.inputs, model: explained, explainer: explainer,
                                                  target: .classIndices(batch.labels))
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
                    try evaluator.add(explainer: explainer, inputs: batch.inputs, labels: batch.labels,
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
        let report = try EvaluationReport(model: model.model, data: source, unit: evaluator.unit.rawValue, baseline: baseline.rawValue,
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
        model.resumeKey.merging(selection.resumeKey) { $1 }.merging(batches.resumeKey(defaultBatchSize: Self.batchSize)) { $1 }
            .merging(["--data": data ?? "", "--split": split, "--count": "\(count)", "--seed": "\(seed)",
                      "--manifest": manifest ?? "", "--ntu": ntu ?? "", "--frames": "\(frames)",
                      "--metrics": metrics.defaultValueDescription, "--fractions": fractions, "--baseline": baseline.rawValue,
                      "--unit": unit?.rawValue ?? "", "--importance": importance, "--steps": "\(steps)",
                      "--tolerance": "\(tolerance)", "--top-k": topK.map(String.init) ?? "",
                      "--randomisation": randomisation.rawValue, "--sanity-samples": "\(sanitySamples)",
                      "--sensitivity-radius": "\(sensitivityRadius)", "--sensitivity-draws": "\(sensitivityDraws)",
                      "--class-importance": classImportance ?? ""]) { $1 }
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
        guard let shard = batches.shard else { return (0..<count, true) }
        return (shard.range(of: count), shard.index == 0)
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

    private func percentages() throws -> [Double] {
        guard let values = CommaSeparated.values(fractions, as: Double.self), !values.isEmpty,
              values.allSatisfy({ (0...100).contains($0) }) else {
            throw STError.invalidRequest("--fractions takes percentages in 0…100 separated by commas, got '\(fractions)'")
        }
        return values.map { $0 / 100 }
    }
}
