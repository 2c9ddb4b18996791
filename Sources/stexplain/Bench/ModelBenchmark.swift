import Foundation
import STCore
import STExplain

/// `stexplain bench model`: any model (an ONNX file) on one input — an inference forward pass
/// and Grad-CAM at the default layer (one forward keeping the layer, the reverse pass down to
/// it), alternating run for run after a warm-up; the ratio is the "≤ 1.1× forward".
struct ModelBenchmark {
    var runs: Int
    var model: ExplainedModel
    var input: Tensor
    var name: String

    struct Result: Codable {
        var model: String
        var cpu: String
        var threads: Int
        var inputShape: [Int]
        var layer: String
        var forwardSeconds: Double
        var gradCAMSeconds: Double
        var gradCAMForwardRatio: Double

        enum CodingKeys: String, CodingKey {
            case model, cpu, threads, layer
            case inputShape = "input_shape"
            case forwardSeconds = "forward_s"
            case gradCAMSeconds = "gradcam_s"
            case gradCAMForwardRatio = "gradcam_forward_ratio"
        }

        var table: String {
            [
                "model benchmark: \(model), input \(inputShape)",
                "cpu: \(cpu), \(threads) threads",
                String(format: "forward (inference) %.3f s; Grad-CAM at %@ %.3f s = %.2f× forward",
                       forwardSeconds, layer, gradCAMSeconds, gradCAMForwardRatio),
            ].joined(separator: "\n")
        }
    }

    func run() throws -> Result {
        let forwardPass = {
            _ = try model.graph.forward(input, options: ForwardOptions(observe: [], differentiable: false))
        }
        let gradCAMPass = { _ = try explain(input, model: model, method: .gradcam) }
        try forwardPass()
        try gradCAMPass()
        var forward: [Double] = [], gradCAM: [Double] = []
        for _ in 0..<runs {
            forward.append(try wallSeconds(forwardPass))
            gradCAM.append(try wallSeconds(gradCAMPass))
        }
        return Result(model: name, cpu: SystemInfo.cpuModel, threads: ComputeThreads.count, inputShape: input.shape,
                      layer: model.defaultLayer, forwardSeconds: median(forward), gradCAMSeconds: median(gradCAM),
                      gradCAMForwardRatio: median(gradCAM) / median(forward))
    }
}
