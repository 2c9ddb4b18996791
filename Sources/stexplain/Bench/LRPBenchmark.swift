import Foundation
import STCore
import STExplain
import STModels

/// `stexplain bench lrp`: LRP under a composite on r3d_18 (random weights, one clip) against one
/// inference forward pass and against the convolution floor of an αβ rule, and seed 002's
/// spatial/temporal split as one batched pass against the 1 + T sequential LRP passes it
/// replaces — all measured in the same run.
///
/// The floor: on a ReLU network αβ needs per convolution the model's own forward, one more
/// forward for z⁺ (z⁻ is the output less z⁺ and the bias) and two backward-data passes (R/z⁺
/// through w⁺, R/z⁻ through w⁻), timed as bare oneDNN primitives.
struct LRPBenchmark {
    var runs: Int
    var inputShape: [Int]
    var composite: String
    var includesSplit = true

    struct Result: Codable {
        var cpu: String
        var threads: Int
        var inputShape: [Int]
        var composite: String
        var forwardSeconds: Double
        var lrpSeconds: Double
        var splitSeconds: Double?
        var sequentialSplitSeconds: Double?
        /// 2 × forward + 2 × backward-data of the bare convolutions.
        var alphaBetaFloorSeconds: Double

        enum CodingKeys: String, CodingKey {
            case cpu, threads, composite
            case inputShape = "input_shape"
            case forwardSeconds = "forward_s"
            case lrpSeconds = "lrp_s"
            case splitSeconds = "split_batched_s"
            case sequentialSplitSeconds = "split_sequential_s"
            case alphaBetaFloorSeconds = "alpha_beta_convolution_floor_s"
        }
    }

    func run() throws -> Result {
        let spec = try ModelSpec(architecture: "r3d_18", classes: 400, inputShape: inputShape)
        let architecture = try spec.makeArchitecture()
        let graph = try architecture.graph(seed: 1)
        let model = ExplainedModel(graph: graph, description: architecture.modelDescription)
        let input = Tensor.randomNormal(shape: inputShape, seed: 2)
        let rules = try LRPComposite.named(composite, bounds: ([-3], [3]))
        let lrp = LRPExplainer(composite: rules)
        let forwardPass = { _ = try graph.forward(input, options: ForwardOptions(observe: [], differentiable: false)) }
        let lrpPass = { _ = try explain(input, model: model, explainer: lrp) }
        try lrpPass()
        var forwardSeconds: [Double] = [], lrpSeconds: [Double] = []
        for _ in 0..<runs {
            forwardSeconds.append(try wallSeconds(forwardPass))
            lrpSeconds.append(try wallSeconds(lrpPass))
        }
        var split: Double?, sequential: Double?
        if includesSplit {
            split = try medianSeconds(runs: max(1, runs / 2)) {
                _ = try explain(input, model: model,
                                explainer: SpatioTemporalLRPExplainer(composite: rules, batching: Batching(size: inputShape[2])))
            }
            let freezeClips = (0..<inputShape[2]).map { FreezeFrameDecomposition.freezeClips(of: input, rows: [$0]) }
            sequential = try medianSeconds(runs: max(1, runs / 2)) {
                try lrpPass()
                for clip in freezeClips { _ = try explain(clip, model: model, explainer: lrp) }
            }
        }
        let floor = try ConvolutionFloor.measure(graph, inputShapes: [graph.inputs[0].name: inputShape], runs: max(3, runs))
        return Result(cpu: SystemInfo.cpuModel, threads: ComputeThreads.count, inputShape: inputShape,
                      composite: composite, forwardSeconds: median(forwardSeconds), lrpSeconds: median(lrpSeconds),
                      splitSeconds: split, sequentialSplitSeconds: sequential,
                      alphaBetaFloorSeconds: 2 * (floor.forwardSeconds + floor.backwardDataSeconds))
    }
}

extension LRPBenchmark.Result {
    /// The human-readable table.
    var table: String {
        let f = { (value: Double, digits: Int) in String(format: "%.\(digits)f", value) }
        let frames = inputShape[2]
        var rows = [
            ["forward (inference)", f(forwardSeconds, 3), "1.00", "", ""],
            ["lrp \(composite)", f(lrpSeconds, 3), f(lrpSeconds / forwardSeconds, 2),
             f(lrpSeconds / alphaBetaFloorSeconds, 2) + "× the αβ convolution floor", "≤ 3"],
            ["αβ convolution floor (bare oneDNN: 2 forward + 2 backward-data)", f(alphaBetaFloorSeconds, 3),
             f(alphaBetaFloorSeconds / forwardSeconds, 2), "", ""],
        ]
        if let splitSeconds, let sequentialSplitSeconds {
            rows += [
                ["split, \(frames) freeze clips in batches", f(splitSeconds, 3), f(splitSeconds / forwardSeconds, 2),
                 f(sequentialSplitSeconds / splitSeconds, 2) + "× the throughput of \(frames + 1) sequential LRP passes", "≥ 1.3"],
                ["\(frames + 1) sequential LRP passes", f(sequentialSplitSeconds, 3), f(sequentialSplitSeconds / forwardSeconds, 2), "", ""],
            ]
        }
        return ([
            "LRP benchmark: r3d_18 (random weights), input \(inputShape)",
            "cpu: \(cpu), \(threads) threads",
            "",
        ] + [TextTable(header: ["measurement", "seconds", "× forward", "comparison", "target"], rows: rows).rendered])
            .joined(separator: "\n")
    }
}
