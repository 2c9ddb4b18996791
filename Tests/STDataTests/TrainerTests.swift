import Testing
import STCore
import STModels
import TestSupport
@testable import STData

@Suite struct TrainerTests {
    /// Two MovingShapes appearance classes (red star vs blue ring) at 8×16×16, a SmallCAMNet of
    /// 8-16 channels.
    static func setUp() throws -> (graph: Graph, train: MovingShapes, validation: MovingShapes) {
        let configuration = MovingShapes.Configuration(frames: 8, height: 16, width: 16, patterns: [.redStar, .blueRing])
        let train = try MovingShapes(split: .train, count: 64, seed: 3, configuration: configuration)
        let validation = try MovingShapes(split: .validation, count: 32, seed: 3, configuration: configuration)
        let model = SmallCAMNet(classes: 2, spatialRank: 3, stageChannels: [8, 16], inputShape: [1, 3, 8, 16, 16])
        return (try model.graph(seed: 4), train, validation)
    }

    @Test func aShortTrainingRunLowersTheLoss() throws {
        var (graph, train, validation) = try Self.setUp()
        let before = try Trainer.evaluate(graph, on: train, batchSize: 32)
        let trainer = Trainer(epochs: 3, batchSize: 16, optimizer: .adam(learningRate: 3e-3, weightDecay: 0), seed: 5)
        var steps = 0
        let log = try trainer.train(&graph, on: train, validation: validation) { _ in steps += 1 }
        #expect(steps == 3 * 4)
        #expect(log.epochs.count == 3)
        let after = try Trainer.evaluate(graph, on: train, batchSize: 32)
        #expect(after.loss < before.loss, "loss \(before.loss) → \(after.loss)")
        #expect(log.epochs.last!.train.loss < log.epochs.first!.train.loss)
        // The kept weights are those of the best validation epoch.
        let kept = try Trainer.evaluate(graph, on: validation, batchSize: 32)
        #expect(kept.accuracy == log.epochs[log.bestEpoch - 1].validation.accuracy)
    }

    @Test func warmupCosineRisesLinearlyThenFallsAlongACosine() throws {
        // 3 epochs of 4 steps, 1 warm-up epoch: W = 4, S = 12. Warm-up (s + 1)/4 = 0.25, 0.5, 0.75, 1;
        // then ½(1 + cos(π(s − 4)/8)): s = 4 → 1, s = 8 → ½, s = 11 → ½(1 + cos(7π/8)) = 0.0380602.
        let schedule = LearningRateSchedule.warmupCosine(warmupEpochs: 1)
        let factors = [0, 1, 2, 3, 4, 8, 11].map { schedule.factor(step: $0, totalSteps: 12, stepsPerEpoch: 4) }
        expectClose(factors, [0.25, 0.5, 0.75, 1, 1, 0.5, 0.0380602], .absolute(1e-6))
        #expect(LearningRateSchedule.constant.factor(step: 7, totalSteps: 12, stepsPerEpoch: 4) == 1)
    }

    @Test func aScheduledRunRecordsItsScheduleAndLowersTheLoss() throws {
        var (graph, train, validation) = try Self.setUp()
        let trainer = Trainer(epochs: 3, batchSize: 16, optimizer: .adam(learningRate: 3e-3, weightDecay: 0),
                              schedule: .warmupCosine(warmupEpochs: 1), seed: 5)
        let log = try trainer.train(&graph, on: train, validation: validation)
        #expect(log.schedule == .warmupCosine(warmupEpochs: 1))
        #expect(log.epochs.last!.train.loss < log.epochs.first!.train.loss)
    }

    @Test func trainingIsReproducibleFromTheSeed() throws {
        var (first, train, validation) = try Self.setUp()
        var second = first
        let trainer = Trainer(epochs: 1, batchSize: 16, seed: 9)
        _ = try trainer.train(&first, on: train, validation: validation)
        _ = try trainer.train(&second, on: train, validation: validation)
        #expect(first.parameters == second.parameters)
    }

    @Test func meanPredictorLossIsTheVarianceAroundTheTrainingMean() throws {
        // Targets are 2×6 poses; predicting the training mean gives the mean squared deviation.
        let train = try VisualOdometry(split: .train, count: 6, seed: 1, configuration: .init(height: 16, width: 32))
        let loss = Trainer.meanPredictorLoss(trainingSet: train, testSet: train)
        let targets = train.batch(indices: Array(0..<6)).targets!.scalars
        var mean = [Float](repeating: 0, count: 12)
        for (index, value) in targets.enumerated() { mean[index % 12] += value / 6 }
        let expected = targets.enumerated().reduce(Float(0)) { $0 + pow($1.element - mean[$1.offset % 12], 2) } / 72
        #expect(abs(loss - expected) < 1e-7)
    }

    @Test func catalogNamesEveryBuiltInDataset() throws {
        for name in DatasetCatalog.names {
            let dataset = try DatasetCatalog.dataset(name, split: .test, count: 2, seed: 0)
            #expect(dataset.count == 2)
        }
        expectError(.invalidRequest, mentioning: "unknown dataset 'imagenet'") {
            try DatasetCatalog.dataset("imagenet", split: .test, count: 2, seed: 0)
        }
    }
}

import Foundation
