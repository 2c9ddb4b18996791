import Foundation
import STCore

/// Mini-batch training of a graph on a `LabeledDataset`: cross-entropy for classification, mean
/// squared error for regression (datasets whose samples carry a `target`), the batches of each
/// epoch in a fresh order drawn from `seed`, validation after every epoch, and the weights of
/// the best validation epoch kept at the end.
public struct Trainer: Sendable {
    /// The optimiser and its hyper-parameters.
    public enum OptimizerChoice: Sendable, Codable, Equatable {
        case adam(learningRate: Float, weightDecay: Float)
        case sgd(learningRate: Float, momentum: Float, weightDecay: Float)

        func make() -> any Optimizer {
            switch self {
            case let .adam(learningRate, weightDecay): return Adam(learningRate: learningRate, weightDecay: weightDecay)
            case let .sgd(learningRate, momentum, weightDecay):
                return SGD(learningRate: learningRate, momentum: momentum, weightDecay: weightDecay)
            }
        }
    }

    public var epochs: Int
    public var batchSize: Int
    public var optimizer: OptimizerChoice
    /// How the optimiser's learning rate moves from step to step.
    public var schedule: LearningRateSchedule
    public var seed: UInt64

    public init(epochs: Int, batchSize: Int = 32, optimizer: OptimizerChoice = .adam(learningRate: 1e-3, weightDecay: 0),
                schedule: LearningRateSchedule = .constant, seed: UInt64 = 0) {
        self.epochs = epochs
        self.batchSize = batchSize
        self.optimizer = optimizer
        self.schedule = schedule
        self.seed = seed
    }

    /// Loss and (for classification) accuracy of a pass over a dataset.
    public struct Score: Sendable, Codable, Equatable {
        public var loss: Float
        /// Fraction of samples whose arg-max class is the label; nil for regression.
        public var accuracy: Float?
    }

    /// What happened in one epoch.
    public struct EpochRecord: Sendable, Codable {
        public var epoch: Int
        public var train: Score
        public var validation: Score
        public var seconds: Double
        public var samplesPerSecond: Double
    }

    /// The whole run: one record per epoch and the epoch whose weights were kept.
    public struct Log: Sendable, Codable {
        public var epochs: [EpochRecord]
        public var bestEpoch: Int
        public var optimizer: OptimizerChoice
        public var schedule: LearningRateSchedule
        public var batchSize: Int
        public var seed: UInt64
    }

    /// Where training is, for progress bars.
    public struct Progress: Sendable {
        public var epoch: Int
        public var step: Int
        public var stepsPerEpoch: Int
        public var loss: Float
        public var samplesPerSecond: Double
    }

    /// Trains `graph` in place and leaves it with the weights of the best validation epoch
    /// (highest accuracy, or lowest loss for regression).
    /// `progress` is called after every step, `epochFinished` after every epoch's validation.
    public func train(_ graph: inout Graph, on trainingSet: any LabeledDataset, validation: any LabeledDataset,
                      progress: (Progress) -> Void = { _ in },
                      epochFinished: (EpochRecord) -> Void = { _ in }) throws -> Log {
        var optimizer = self.optimizer.make()
        let baseRate = optimizer.learningRate
        var records: [EpochRecord] = []
        var best: (epoch: Int, score: Score, parameters: [String: Tensor], buffers: [String: Tensor])?
        let stepsPerEpoch = (trainingSet.count + batchSize - 1) / batchSize
        for epoch in 1...epochs {
            let start = Date()
            var order = Array(0..<trainingSet.count)
            var generator = SeededGenerator(seed: seed &+ UInt64(epoch))
            order.shuffle(using: &generator)
            var lossSum: Float = 0, correct = 0
            for step in 0..<stepsPerEpoch {
                let indices = Array(order[step * batchSize..<min((step + 1) * batchSize, order.count)])
                let batch = trainingSet.batch(indices: indices)
                let trace = try graph.forward(batch.inputs, options: ForwardOptions(training: true, seed: seed &+ UInt64(epoch * 100_003 + step)))
                let objective = Self.objective(for: batch)
                lossSum += try objective.values(trace.output)[0] * Float(indices.count)
                correct += Self.correctCount(trace.output, batch: batch)
                let gradients = try trace.parameterGradients(of: objective)
                graph.applyBufferUpdates(trace)
                optimizer.learningRate = baseRate * schedule.factor(step: (epoch - 1) * stepsPerEpoch + step,
                                                                    totalSteps: epochs * stepsPerEpoch,
                                                                    stepsPerEpoch: stepsPerEpoch)
                optimizer.step(&graph, gradients: gradients)
                let seen = step * batchSize + indices.count
                progress(Progress(epoch: epoch, step: step + 1, stepsPerEpoch: stepsPerEpoch,
                                  loss: lossSum / Float(seen),
                                  samplesPerSecond: Double(seen) / Date().timeIntervalSince(start)))
            }
            let seconds = Date().timeIntervalSince(start)
            let isRegression = trainingSet.classNames.isEmpty
            let trainScore = Score(loss: lossSum / Float(trainingSet.count),
                                   accuracy: isRegression ? nil : Float(correct) / Float(trainingSet.count))
            let validationScore = try Self.evaluate(graph, on: validation, batchSize: batchSize)
            records.append(EpochRecord(epoch: epoch, train: trainScore, validation: validationScore, seconds: seconds,
                                       samplesPerSecond: Double(trainingSet.count) / seconds))
            epochFinished(records[records.count - 1])
            if best.map({ Self.isBetter(validationScore, than: $0.score) }) ?? true {
                best = (epoch, validationScore, graph.parameters, graph.buffers)
            }
        }
        if let best {
            graph.parameters = best.parameters
            graph.buffers = best.buffers
        }
        return Log(epochs: records, bestEpoch: best?.epoch ?? epochs, optimizer: self.optimizer, schedule: schedule,
                   batchSize: batchSize, seed: seed)
    }

    /// Loss and accuracy of `graph` in inference mode over a whole dataset.
    public static func evaluate(_ graph: Graph, on dataset: any LabeledDataset, batchSize: Int = 64) throws -> Score {
        var lossSum: Float = 0, correct = 0
        for start in stride(from: 0, to: dataset.count, by: batchSize) {
            let batch = dataset.batch(indices: Array(start..<min(start + batchSize, dataset.count)))
            let output = try graph.forward(batch.inputs, options: ForwardOptions(observe: [], differentiable: false)).output
            lossSum += try objective(for: batch).values(output)[0] * Float(batch.labels.count)
            correct += correctCount(output, batch: batch)
        }
        return Score(loss: lossSum / Float(dataset.count),
                     accuracy: dataset.classNames.isEmpty ? nil : Float(correct) / Float(dataset.count))
    }

    /// Mean squared error of always predicting the mean training target: the baseline a
    /// regression model must beat.
    public static func meanPredictorLoss(trainingSet: any LabeledDataset, testSet: any LabeledDataset) -> Float {
        let training = trainingSet.batch(indices: Array(0..<trainingSet.count)).targets!
        let perSample = training.count / trainingSet.count
        var mean = [Float](repeating: 0, count: perSample)
        for (index, value) in training.scalars.enumerated() { mean[index % perSample] += value / Float(trainingSet.count) }
        let test = testSet.batch(indices: Array(0..<testSet.count)).targets!
        let squared = test.scalars.enumerated().reduce(Float(0)) { total, element in
            let difference = element.element - mean[element.offset % perSample]
            return total + difference * difference
        }
        return squared / Float(test.count)
    }

    private static func objective(for batch: Batch) -> Objective {
        if let targets = batch.targets { return .meanSquaredError(targets: targets) }
        return .crossEntropy(labels: batch.labels)
    }

    private static func correctCount(_ output: Tensor, batch: Batch) -> Int {
        guard batch.targets == nil, output.rank == 2 else { return 0 }
        let classes = output.shape[1]
        let scores = output.scalars
        return batch.labels.enumerated().filter { sample, label in
            let row = scores[sample * classes..<(sample + 1) * classes]
            return row.indices.max { row[$0] < row[$1] }! - sample * classes == label
        }.count
    }

    private static func isBetter(_ candidate: Score, than current: Score) -> Bool {
        if let accuracy = candidate.accuracy, let currentAccuracy = current.accuracy, accuracy != currentAccuracy {
            return accuracy > currentAccuracy
        }
        return candidate.loss < current.loss
    }
}
