import Foundation
import STCore
import STExplain
import STModels

/// `stexplain bench explain`: every explanation method on r3d_18 (random weights, one clip),
/// timed against a plain forward pass and a forward + full backward pass measured in the same run.
struct ExplainBenchmark {
    var runs: Int
    var inputShape: [Int]
    var occlusionBatch: Int

    struct Measurement: Codable {
        var method: String
        var seconds: Double
        /// Seconds over one inference forward pass.
        var forwardRatio: Double
        /// What the method is compared with, and the ratio to it.
        var reference: String
        var referenceRatio: Double
        var target: String

        enum CodingKeys: String, CodingKey {
            case method, seconds, reference, target
            case forwardRatio = "forward_ratio"
            case referenceRatio = "reference_ratio"
        }
    }

    struct Result: Codable {
        var cpu: String
        var threads: Int
        var inputShape: [Int]
        var forwardSeconds: Double
        var forwardBackwardSeconds: Double
        var batchedForwardClipsPerSecond: Double
        var occlusionClipsPerSecond: Double
        var measurements: [Measurement]

        enum CodingKeys: String, CodingKey {
            case cpu, threads, measurements
            case inputShape = "input_shape"
            case forwardSeconds = "forward_s"
            case forwardBackwardSeconds = "forward_backward_s"
            case batchedForwardClipsPerSecond = "batched_forward_clips_per_s"
            case occlusionClipsPerSecond = "occlusion_clips_per_s"
        }
    }

    func run() throws -> Result {
        let spec = try ModelSpec(architecture: "r3d_18", classes: 400, inputShape: inputShape)
        let architecture = try spec.makeArchitecture()
        let graph = try architecture.graph(seed: 1)
        let model = ExplainedModel(graph: graph, description: architecture.modelDescription)
        let input = Tensor.randomNormal(shape: inputShape, seed: 2)

        let forwardPass = {
            _ = try graph.forward(input, options: ForwardOptions(observe: [], differentiable: false))
        }
        let forwardBackwardPass = {
            let trace = try graph.forward(input, options: ForwardOptions(observe: []))
            _ = try trace.gradient(of: .logits([0]), at: ["input"])
        }
        let forward = try medianSeconds(runs: runs, forwardPass)
        let forwardBackward = try medianSeconds(runs: runs, forwardBackwardPass)
        var measurements: [Measurement] = []
        // After one warm-up call, each method alternates with its reference run for run, so that
        // drifting clocks and neighbours on the machine affect both alike.
        func measure(_ method: Method, reference: String, referencePass: () throws -> Void, target: String) throws {
            let methodPass = { _ = try explain(input, model: model, method: method) }
            try methodPass()
            var methodSeconds: [Double] = [], referenceSeconds: [Double] = []
            for _ in 0..<runs {
                referenceSeconds.append(try wallSeconds(referencePass))
                methodSeconds.append(try wallSeconds(methodPass))
            }
            let seconds = median(methodSeconds)
            measurements.append(Measurement(method: method.rawValue, seconds: seconds, forwardRatio: seconds / forward,
                                            reference: reference, referenceRatio: seconds / median(referenceSeconds),
                                            target: target))
        }
        for method in [Method.cam, .gradcam, .gradcamPlusPlus, .xgradcam, .layercam, .hirescam] {
            try measure(method, reference: "forward", referencePass: forwardPass, target: "≤ 1.1")
        }
        for method in [Method.saliency, .guidedBackprop, .deconvnet, .guidedGradcam] {
            try measure(method, reference: "forward + backward", referencePass: forwardBackwardPass, target: "≤ 1.0")
        }

        let batch = Tensor.randomNormal(shape: [occlusionBatch] + inputShape.dropFirst(), seed: 3)
        let batchedForward = try medianSeconds(runs: runs) {
            _ = try graph.forward(batch, options: ForwardOptions(observe: [], differentiable: false))
        }
        let batchedClipsPerSecond = Double(occlusionBatch) / batchedForward
        let occlusion = OcclusionExplainer(window: [inputShape[2] / 4, inputShape[3] / 4, inputShape[4] / 4],
                                           batching: Batching(size: occlusionBatch))
        let regions = 64
        let occlusionSeconds = try medianSeconds(runs: max(1, runs / 2)) {
            _ = try explain(input, model: model, explainer: occlusion)
        }
        let occlusionClipsPerSecond = Double(regions) / occlusionSeconds
        measurements.append(Measurement(method: "occlusion (64 cubes)", seconds: occlusionSeconds,
                                        forwardRatio: occlusionSeconds / forward,
                                        reference: "batched forward throughput",
                                        referenceRatio: batchedClipsPerSecond / occlusionClipsPerSecond, target: "≈ 1"))
        return Result(cpu: SystemInfo.cpuModel, threads: ComputeThreads.count, inputShape: inputShape,
                      forwardSeconds: forward, forwardBackwardSeconds: forwardBackward,
                      batchedForwardClipsPerSecond: batchedClipsPerSecond, occlusionClipsPerSecond: occlusionClipsPerSecond,
                      measurements: measurements)
    }
}

extension ExplainBenchmark.Result {
    /// The human-readable table.
    var table: String {
        let f = { (value: Double, digits: Int) in String(format: "%.\(digits)f", value) }
        var lines = [
            "explain benchmark: r3d_18 (random weights), input \(inputShape)",
            "cpu: \(cpu), \(threads) threads",
            "forward (inference) \(f(forwardSeconds, 3)) s; forward + backward to the input \(f(forwardBackwardSeconds, 3)) s",
            "batched forward \(f(batchedForwardClipsPerSecond, 1)) clips/s; occlusion \(f(occlusionClipsPerSecond, 1)) clips/s",
            "",
        ]
        let rows = measurements.map {
            [$0.method, f($0.seconds, 3), f($0.forwardRatio, 2), $0.reference, f($0.referenceRatio, 2), $0.target]
        }
        lines.append(TextTable(header: ["method", "seconds", "× forward", "reference", "× reference", "target"],
                               rows: rows).rendered)
        return lines.joined(separator: "\n")
    }
}
