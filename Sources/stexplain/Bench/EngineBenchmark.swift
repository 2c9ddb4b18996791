import Foundation
import STCore
import STModels

/// `stexplain bench engine`: an r3d_18-shaped network on one 3×16×112×112 clip, timed as the
/// engine runs it (inference forward; forward + gradient to the input) and compared, in the same
/// run, with the bare oneDNN convolution primitives of the same network.
struct EngineBenchmark {
    var runs: Int
    var inputShape: [Int]

    struct Result: Codable {
        var cpu: String
        var vectorExtension: String
        var threads: Int
        var inputShape: [Int]
        var gigaMultiplyAdds: Double
        var forwardSeconds: Double
        var backwardSeconds: Double
        var convolutionForwardSeconds: Double
        var convolutionBackwardSeconds: Double
        var gflops: Double
        var peakResidentMegabytes: Double
        var convolutionImplementation: String

        /// Forward time over the bare convolutions' forward time (target ≤ 1.25).
        var forwardRatio: Double { forwardSeconds / convolutionForwardSeconds }
        /// Forward + input gradient over bare forward + backward-data convolutions (target ≤ 1.3).
        var backwardRatio: Double { backwardSeconds / (convolutionForwardSeconds + convolutionBackwardSeconds) }

        enum CodingKeys: String, CodingKey {
            case cpu, threads
            case vectorExtension = "vector_extension"
            case inputShape = "input_shape"
            case gigaMultiplyAdds = "giga_multiply_adds"
            case forwardSeconds = "forward_s"
            case backwardSeconds = "backward_s"
            case convolutionForwardSeconds = "conv_forward_s"
            case convolutionBackwardSeconds = "conv_backward_s"
            case gflops
            case peakResidentMegabytes = "peak_rss_mb"
            case convolutionImplementation = "conv_implementation"
        }
    }

    func run() throws -> Result {
        let graph = try R3D18(inputShape: inputShape).graph(seed: 1)
        let input = Tensor.randomNormal(shape: inputShape, seed: 2)
        let macs = try graph.multiplyAdds(["input": inputShape])

        let forward = try medianSeconds(runs: runs) {
            _ = try graph.forward(input, options: ForwardOptions(observe: [], differentiable: false))
        }
        let backward = try medianSeconds(runs: runs) {
            let trace = try graph.forward(input, options: ForwardOptions(observe: ["input"]))
            _ = try trace.gradient(of: .logits([0]), at: ["input"])
        }
        let floor = try ConvolutionFloor.measure(graph, inputShapes: ["input": inputShape], runs: runs)
        let implementations = Dictionary(grouping: floor.implementations.map(\.implementation)) { $0 }
        let commonest = implementations.max { $0.value.count < $1.value.count }?.key ?? "?"
        return Result(cpu: SystemInfo.cpuModel, vectorExtension: SystemInfo.vectorExtension,
                      threads: ComputeThreads.count, inputShape: inputShape,
                      gigaMultiplyAdds: Double(macs) / 1e9, forwardSeconds: forward, backwardSeconds: backward,
                      convolutionForwardSeconds: floor.forwardSeconds,
                      convolutionBackwardSeconds: floor.backwardDataSeconds,
                      gflops: 2 * Double(macs) / 1e9 / forward,
                      peakResidentMegabytes: SystemInfo.peakResidentMegabytes,
                      convolutionImplementation: commonest)
    }
}

extension EngineBenchmark.Result {
    /// The human-readable table.
    var table: String {
        func row(_ label: String, _ value: String) -> String {
            label.padding(toLength: 44, withPad: " ", startingAt: 0) + value
        }
        let f = { (value: Double, digits: Int) in String(format: "%.\(digits)f", value) }
        return [
            "engine benchmark: r3d_18-shaped network, input \(inputShape)",
            "cpu: \(cpu) (\(vectorExtension)), \(threads) threads, oneDNN conv: \(convolutionImplementation)",
            row("multiply-adds", "\(f(gigaMultiplyAdds, 1)) G"),
            row("forward (inference, fused)", "\(f(forwardSeconds, 3)) s   \(f(gflops, 0)) GFLOP/s"),
            row("bare oneDNN convolutions, forward", "\(f(convolutionForwardSeconds, 3)) s"),
            row("  ratio forward / bare (target ≤ 1.25)", f(forwardRatio, 2)),
            row("forward + gradient to the input", "\(f(backwardSeconds, 3)) s"),
            row("bare convolutions, forward + backward-data", "\(f(convolutionForwardSeconds + convolutionBackwardSeconds, 3)) s"),
            row("  ratio (target ≤ 1.3)", f(backwardRatio, 2)),
            row("peak resident memory", "\(f(peakResidentMegabytes, 0)) MiB"),
        ].joined(separator: "\n")
    }
}
