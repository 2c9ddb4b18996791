import ArgumentParser
import Foundation
import STCore
import STData
import STIO
import STModels

/// `stexplain train`: trains a built-in architecture on a built-in synthetic dataset and writes
/// the best weights (safetensors, PyTorch names, the model spec in the metadata) and a JSON log.
struct TrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train a built-in model on a synthetic dataset.",
        discussion: """
            Writes OUT/model.safetensors (the weights of the best validation epoch; the metadata key \
            stexplain.model holds the architecture and size) and OUT/training.json (per-epoch loss, \
            accuracy, samples/s, and the test score).

            Example: stexplain train --model r3d_18 --width 0.125 --data moving-shapes --epochs 8 --out models/r3d_small
            """)

    @Option(help: "Architecture: \(ModelSpec.architectures.joined(separator: ", ")).")
    var model: String

    @Option(help: "Channel width multiplier (1 = published width).")
    var width: Double = 1

    @Option(help: "CNN-LSTM backbone: resnet18 or plain.")
    var backbone: String?

    @Flag(inversion: .prefixedNo,
          help: "small_cam_net_3d: whether its max pools halve time too (--no-time-pooling keeps every frame in the map).")
    var timePooling = true

    @Option(help: "video_transformer: number of blocks (default 12).")
    var depth: Int?

    @Option(help: "video_transformer: attention heads, dividing the width (default 12 × --width, at least 1).")
    var heads: Int?

    @Option(help: "video_transformer: frames,height,width of the tubelet each token embeds (default 2,16,16).")
    var tubelet: String?

    @Option(help: "video_transformer: joint (all tokens attend to each other) or divided (TimeSformer: time, then space).")
    var attention: String?

    @Option(help: "Dataset: \(DatasetCatalog.names.joined(separator: ", ")).")
    var data: String

    @Option(help: "Training samples.")
    var trainCount = 2000

    @Option(help: "Validation samples.")
    var validationCount = 400

    @Option(help: "Test samples.")
    var testCount = 400

    @Option(help: "Epochs.")
    var epochs = 10

    @Option(help: "Batch size.")
    var batchSize = 32

    @Option(help: "Optimiser: adam or sgd.")
    var optimizer = "adam"

    @Option(help: "Learning rate.")
    var learningRate: Float = 1e-3

    @Option(help: "Learning-rate schedule: constant, or cosine (linear warm-up over --warmup-epochs, then cosine decay to 0).")
    var schedule = "constant"

    @Option(help: "Warm-up epochs of the cosine schedule.")
    var warmupEpochs = 0

    @Option(help: "SGD momentum.")
    var momentum: Float = 0.9

    @Option(help: "Weight decay (L2, added to the gradient).")
    var weightDecay: Float = 0

    @Option(help: "Seed of the weights, the data and the batch order.")
    var seed: UInt64 = 0

    @Option(help: "Output directory.")
    var out: String

    func validate() throws {
        guard ModelSpec.architectures.contains(model) else {
            throw ValidationError("unknown model '\(model)'; choose from \(ModelSpec.architectures.joined(separator: ", "))")
        }
        guard DatasetCatalog.names.contains(data) else {
            throw ValidationError("unknown dataset '\(data)'; choose from \(DatasetCatalog.names.joined(separator: ", "))")
        }
        guard ["adam", "sgd"].contains(optimizer) else { throw ValidationError("--optimizer must be adam or sgd") }
        guard ["constant", "cosine"].contains(schedule) else { throw ValidationError("--schedule must be constant or cosine") }
        guard warmupEpochs == 0 || (schedule == "cosine" && warmupEpochs > 0 && warmupEpochs < epochs) else {
            throw ValidationError("--warmup-epochs takes 1 to epochs − 1 warm-up epochs of the cosine schedule")
        }
        guard timePooling || model == "small_cam_net_3d" else {
            throw ValidationError("--no-time-pooling applies to small_cam_net_3d only")
        }
        guard model == "video_transformer" || (depth == nil && heads == nil && tubelet == nil && attention == nil) else {
            throw ValidationError("--depth, --heads, --tubelet and --attention apply to video_transformer only")
        }
        if let tubelet, tubeletSize == nil {
            throw ValidationError("--tubelet takes three positive sizes, frames,height,width; got '\(tubelet)'")
        }
        if let attention, !["joint", "divided"].contains(attention) {
            throw ValidationError("--attention must be joint or divided, got '\(attention)'")
        }
        guard (depth ?? 1) > 0, (heads ?? 1) > 0 else { throw ValidationError("--depth and --heads must be positive") }
        var ancestor = URL(fileURLWithPath: out).standardizedFileURL
        while !FileManager.default.fileExists(atPath: ancestor.path) { ancestor.deleteLastPathComponent() }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: ancestor.path, isDirectory: &isDirectory), isDirectory.boolValue,
              FileManager.default.isWritableFile(atPath: ancestor.path) else {
            throw ValidationError("\(out): cannot write there (\(ancestor.path) is not a writable directory)")
        }
        guard epochs > 0, batchSize > 0, trainCount > 0, validationCount > 0, testCount > 0, width > 0, learningRate > 0 else {
            throw ValidationError("epochs, batch size, sample counts, width and learning rate must be positive")
        }
    }

    func run() throws {
        let trainingSet = try DatasetCatalog.dataset(data, split: .train, count: trainCount, seed: seed)
        let validationSet = try DatasetCatalog.dataset(data, split: .validation, count: validationCount, seed: seed)
        let testSet = try DatasetCatalog.dataset(data, split: .test, count: testCount, seed: seed)
        let sampleShape = trainingSet.sample(0).input.shape
        let spec = try ModelSpec(architecture: model, classes: max(trainingSet.classNames.count, 1), widthMultiplier: width,
                                 inputShape: [1] + sampleShape, backbone: backbone, poolsTime: timePooling ? nil : false,
                                 depth: depth, heads: heads, tubelet: tubeletSize, attention: attention)
        var graph = try spec.makeArchitecture().graph(seed: seed)

        let choice: Trainer.OptimizerChoice = optimizer == "sgd"
            ? .sgd(learningRate: learningRate, momentum: momentum, weightDecay: weightDecay)
            : .adam(learningRate: learningRate, weightDecay: weightDecay)
        let trainer = Trainer(epochs: epochs, batchSize: batchSize, optimizer: choice,
                              schedule: schedule == "cosine" ? .warmupCosine(warmupEpochs: warmupEpochs) : .constant, seed: seed)
        var bar: ProgressBar?
        let start = Date()
        let log = try trainer.train(&graph, on: trainingSet, validation: validationSet) { progress in
            if progress.step == 1 { bar = ProgressBar(label: "epoch \(progress.epoch)/\(epochs)", total: progress.stepsPerEpoch) }
            bar?.update(progress.step, detail: String(format: "loss %.4f  %.1f samples/s", progress.loss, progress.samplesPerSecond))
            if progress.step == progress.stepsPerEpoch { bar?.finish() }
        } epochFinished: { record in
            FileHandle.standardOutput.write(Data((record.summary(of: epochs) + "\n").utf8))
        }
        let test = try Trainer.evaluate(graph, on: testSet, batchSize: batchSize)
        let report = TrainingReport(model: spec, dataset: data, log: log, test: test,
                                    meanPredictorLoss: trainingSet.classNames.isEmpty
                                        ? Trainer.meanPredictorLoss(trainingSet: trainingSet, testSet: testSet) : nil,
                                    seconds: Date().timeIntervalSince(start))
        try write(graph: graph, report: report)
        print(report.summary)
    }

    /// `--tubelet` as three positive sizes; nil when absent or malformed.
    private var tubeletSize: [Int]? {
        guard let tubelet, let sizes = CommaSeparated.values(tubelet, as: Int.self), sizes.count == 3,
              sizes.allSatisfy({ $0 > 0 }) else { return nil }
        return sizes
    }

    private func write(graph: Graph, report: TrainingReport) throws {
        do {
            try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        } catch {
            throw STError.badInput(file: out, reason: "cannot create the output directory (\(error.localizedDescription))")
        }
        let metadata = ["stexplain.model": String(decoding: try JSONEncoder().encode(report.model), as: UTF8.self),
                        "stexplain.dataset": report.dataset]
        try SafeTensors.write(graph.stateDict, to: "\(out)/model.safetensors", metadata: metadata)
        try AtomicFileWriter.write(try JSONOutput.encode(report), to: "\(out)/training.json")
    }
}

extension Trainer.EpochRecord {
    /// One line per epoch: losses, accuracies, speed.
    func summary(of epochs: Int) -> String {
        var text = String(format: "epoch %d/%d  train loss %.4f", epoch, epochs, train.loss)
        if let accuracy = train.accuracy { text += String(format: " acc %.3f", accuracy) }
        text += String(format: "  validation loss %.4f", validation.loss)
        if let accuracy = validation.accuracy { text += String(format: " acc %.3f", accuracy) }
        return text + String(format: "  %.0f s, %.1f samples/s", seconds, samplesPerSecond)
    }
}

/// What `stexplain train` records in `training.json`.
struct TrainingReport: Codable {
    var model: ModelSpec
    var dataset: String
    var log: Trainer.Log
    var test: Trainer.Score
    /// Test loss of always predicting the mean training target (regression only).
    var meanPredictorLoss: Float?
    var seconds: Double

    var summary: String {
        let best = log.epochs[log.bestEpoch - 1]
        var lines = ["\(model.architecture) ×\(model.widthMultiplier) on \(dataset): best epoch \(log.bestEpoch) of \(log.epochs.count), "
                     + String(format: "%.0f s, %.1f samples/s", seconds, best.samplesPerSecond)]
        if let accuracy = test.accuracy {
            lines.append(String(format: "test accuracy %.1f %%  (validation %.1f %%)", 100 * accuracy,
                                100 * (best.validation.accuracy ?? 0)))
        } else {
            lines.append(String(format: "test loss %.5f  (predicting the mean: %.5f)", test.loss, meanPredictorLoss ?? .nan))
        }
        return lines.joined(separator: "\n")
    }
}
