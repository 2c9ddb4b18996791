import Foundation
import STCore
import STExplain

/// `stexplain bench model`: any model (an ONNX file) on one input — an inference forward pass, a
/// forward + backward pass (the input gradient, as saliency computes it) and each method at its
/// defaults, run for run in turn after a warm-up. The ratios are the issues' targets: Grad-CAM
/// ≤ 1.1× forward, attention rollout ≤ 1.2× forward, AttnLRP ≤ 1.5× and transformer attribution
/// ≤ 2× forward + backward.
struct ModelBenchmark {
    var runs: Int
    var model: ExplainedModel
    var input: Tensor
    var name: String
    var methods: [Method] = [.gradcam]

    struct Result: Codable {
        var model: String
        var cpu: String
        var threads: Int
        var inputShape: [Int]
        var layer: String
        var forwardSeconds: Double
        var forwardBackwardSeconds: Double
        var measurements: [Measurement]

        struct Measurement: Codable {
            var method: String
            var seconds: Double
            var forwardRatio: Double
            var forwardBackwardRatio: Double

            enum CodingKeys: String, CodingKey {
                case method, seconds
                case forwardRatio = "forward_ratio"
                case forwardBackwardRatio = "forward_backward_ratio"
            }
        }

        enum CodingKeys: String, CodingKey {
            case model, cpu, threads, layer, measurements
            case inputShape = "input_shape"
            case forwardSeconds = "forward_s"
            case forwardBackwardSeconds = "forward_backward_s"
        }

        var table: String {
            [
                "model benchmark: \(model), input \(inputShape)",
                "cpu: \(cpu), \(threads) threads",
                String(format: "forward (inference) %.3f s; forward + backward to the input %.3f s", forwardSeconds,
                       forwardBackwardSeconds),
            ].joined(separator: "\n") + measurements.map {
                "\n" + String(format: "%@ %.3f s = %.2f× forward, %.2f× forward + backward", $0.method, $0.seconds,
                              $0.forwardRatio, $0.forwardBackwardRatio)
            }.joined()
        }
    }

    func run() throws -> Result {
        let topScore = Objective(values: { output in [output.scalars.max() ?? 0] }, seed: { output in
            let scores = output.plain().scalars
            var seed = [Float](repeating: 0, count: scores.count)
            seed[scores.indices.max { scores[$0] < scores[$1] }!] = 1
            return Tensor(shape: output.shape, scalars: seed)
        })
        let passes: [() throws -> Void] = [
            { _ = try model.graph.forward(input, options: ForwardOptions(observe: [], differentiable: false)) },
            {
                let trace = try model.graph.forward(input, options: ForwardOptions(observe: [], differentiable: true))
                _ = try trace.gradient(of: topScore, at: [model.inputName])
            },
        ] + methods.map { method in { _ = try explain(input, model: model, method: method) } }
        for pass in passes { try pass() }
        var seconds = [[Double]](repeating: [], count: passes.count)
        for _ in 0..<runs {
            for (index, pass) in passes.enumerated() { seconds[index].append(try wallSeconds(pass)) }
        }
        let (forward, forwardBackward) = (median(seconds[0]), median(seconds[1]))
        let measurements = zip(methods, seconds.dropFirst(2)).map { method, times in
            Result.Measurement(method: method.rawValue, seconds: median(times), forwardRatio: median(times) / forward,
                               forwardBackwardRatio: median(times) / forwardBackward)
        }
        return Result(model: name, cpu: SystemInfo.cpuModel, threads: ComputeThreads.count, inputShape: input.shape,
                      layer: model.defaultLayer, forwardSeconds: forward, forwardBackwardSeconds: forwardBackward,
                      measurements: measurements)
    }
}
