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
            OUT/metrics.md and PNG charts (masking.png, deletion.png, insertion.png, metrics.png).

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
        var computedImportance: [String: JointImportance] = [:]
        if !isFirstShard { settings.sanitySamples = 0 }
        let evaluator = Evaluator(model: explained, settings: settings)
        let batches = stride(from: samples.lowerBound, to: samples.upperBound, by: batchSize).map {
            $0..<min($0 + batchSize, samples.upperBound)
        }
        let progress = ProgressBar(label: "evaluate", total: chosenMethods.count * batches.count * (usesClassImportance && givenImportance == nil ? 2 : 1),
                                   enabled: !quiet)
        var done = 0
        var results: [MethodScores] = []
        for method in chosenMethods {
            var methodImportance: JointImportance?
            if usesClassImportance, let givenImportance, let path = classImportance {
                guard let given = givenImportance[method.rawValue] else {
                    throw STError.badInput(file: path, reason: "holds no joint importance for \(method.rawValue)")
                }
                methodImportance = given
            } else if usesClassImportance {
                var accumulated = JointImportance(joints: first.inputs.shape[3])
                for range in batches {
                    let batch = try inputs.batch(range)
                    let explanation = try explain(batch.inputs, model: explained, method: method,
                                                  target: .classIndices(batch.labels), options: options)
                    try accumulated.add(explanation, input: batch.inputs, labels: batch.labels)
                    done += 1
                    progress.update(done, detail: method.rawValue + " ψ_c")
                }
                methodImportance = accumulated
                computedImportance[method.rawValue] = accumulated
            }
            var scores = MethodScores(method: method.rawValue)
            for range in batches {
                let batch = try inputs.batch(range)
                let maskingScores = methodImportance.map { importance in
                    Tensor(shape: [batch.labels.count, importance.joints], scalars: batch.labels.flatMap {
                        importance.importance(of: $0) ?? Array(repeating: 0, count: importance.joints)
                    })
                }
                try evaluator.add(method: method, options: options, inputs: batch.inputs, labels: batch.labels,
                                  masks: batch.masks, maskingScores: maskingScores, to: &scores)
                done += 1
                progress.update(done, detail: method.rawValue)
            }
            results.append(scores)
        }
        progress.finish()
        let report = try EvaluationReport(model: model, data: source, unit: evaluator.unit.rawValue, baseline: baseline,
                                          fractions: settings.fractions, scores: results)
        var files = try report.files()
        if !computedImportance.isEmpty {
            let names = try SkeletonLayout.forJointCount(first.inputs.shape[3]).jointNames
            files["joint_importance.json"] = try ClassImportanceFile(jointNames: names, accumulators: computedImportance).data
        }
        try OutputDirectory.write(out, files: files)
        if json {
            print(String(decoding: try JSONOutput.encode(report), as: UTF8.self))
        } else if !quiet {
            print(report.markdown)
        }
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
