import ArgumentParser
import Foundation
import STExplain

/// `stexplain bench …`: speed measurements stated as ratios measured in the same run.
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure speed against the bare oneDNN kernels and forward passes.",
        discussion: """
            Every figure is a ratio measured in the same run, which carries across machines better \
            than seconds; benchmarks/peers.sh times the PyTorch libraries on the same input.

            Examples:
              stexplain bench engine --runs 3
              stexplain bench explain
              STEXPLAIN_THREADS=1 stexplain bench lrp --skip-split
            """,
        subcommands: [EngineBenchCommand.self, ExplainBenchCommand.self, LRPBenchCommand.self, ModelBenchCommand.self])
}

struct ModelBenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "model",
        abstract: "Time a model's forward pass, forward + backward pass and methods on an input.",
        discussion: """
            For any model --model takes (an ONNX export of a transformer, say): the median of \
            --runs inference forward passes, forward + backward passes to the input and each of \
            --methods at its defaults, in turn, after a warm-up. Threads: STEXPLAIN_THREADS.

            Example: stexplain bench model --model vit_b_16.onnx --input x.npy --methods gradcam,attention-rollout
            """)

    @Option(help: "Built-in architecture name (with --random-weights) or an ONNX file.")
    var model: String

    @OptionGroup(title: "ONNX models")
    var onnx: ONNXOptions

    @Option(help: "Input (.npy, video or .skeleton).")
    var input: String

    @Option(help: "Timed runs per measurement (the median is reported).")
    var runs = 3

    @Option(help: "Methods to time, comma-separated.")
    var methods = CommaList<Method>([.gradcam])

    @Flag(help: "Print JSON instead of a table.")
    var json = false

    func validate() throws {
        guard runs >= 1 else { throw ValidationError("--runs must be at least 1") }
    }

    func run() throws {
        var tensor = try InputLoading(frames: 16, start: 0, stride: 1, preset: .kinetics, windowHop: nil, skeletonLayout: nil)
            .load(input)
        let (explained, _) = try ModelLoading(model: model, weights: nil, strict: true, randomWeights: true, onnx: onnx)
            .load(inputShape: tensor.shape, input: input)
        tensor = try ONNXModel.conformed(tensor, to: explained)
        let result = try ModelBenchmark(runs: runs, model: explained, input: tensor,
                                        name: (model as NSString).lastPathComponent, methods: methods.elements).run()
        if json {
            try JSONOutput.print(result)
        } else {
            print(result.table)
        }
    }
}

struct EngineBenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "engine",
        abstract: "Time an r3d_18-shaped network: forward, and forward + gradient to the input.",
        discussion: """
            Compares the engine with the sum of the bare oneDNN convolution primitives of the same \
            network, measured in the same run. Threads: STEXPLAIN_THREADS (default: all cores).

            Example: stexplain bench engine --runs 5 --json
            """)

    @Option(help: "Timed runs per measurement (the median is reported).")
    var runs = 3

    @Option(help: "Input clip shape N,C,T,H,W.")
    var input = "1,3,16,112,112"

    @Flag(help: "Print JSON instead of a table.")
    var json = false

    func validate() throws {
        guard runs >= 1 else { throw ValidationError("--runs must be at least 1") }
        guard ClipShape.parse(input) != nil else { throw ValidationError("--input must be five positive integers N,C,T,H,W") }
    }

    func run() throws {
        let result = try EngineBenchmark(runs: runs, inputShape: ClipShape.parse(input)!).run()
        if json {
            try JSONOutput.print(result)
        } else {
            print(result.table)
        }
    }
}

struct ExplainBenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "explain",
        abstract: "Time every explanation method on r3d_18 against forward and forward + backward passes.",
        discussion: """
            CAM methods at layer4 are compared with one inference forward pass (target ≤ 1.1×), \
            gradient methods with forward + full backward to the input (target ≤ 1.0×), occlusion's \
            clips/s with the batched forward throughput. Threads: STEXPLAIN_THREADS.

            Example: stexplain bench explain --runs 3
            """)

    @Option(help: "Timed runs per measurement (the median is reported).")
    var runs = 3

    @Option(help: "Input clip shape N,C,T,H,W.")
    var input = "1,3,16,112,112"

    @Option(help: "Occluded clips per forward pass.")
    var occlusionBatch = 8

    @Flag(help: "Print JSON instead of a table.")
    var json = false

    func validate() throws {
        guard runs >= 1, occlusionBatch >= 1 else { throw ValidationError("--runs and --occlusion-batch must be at least 1") }
        guard ClipShape.parse(input) != nil else { throw ValidationError("--input must be five positive integers N,C,T,H,W") }
    }

    func run() throws {
        let result = try ExplainBenchmark(runs: runs, inputShape: ClipShape.parse(input)!, occlusionBatch: occlusionBatch).run()
        if json {
            try JSONOutput.print(result)
        } else {
            print(result.table)
        }
    }
}

struct LRPBenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lrp",
        abstract: "Time LRP and the spatial/temporal split on r3d_18 against a forward pass.",
        discussion: """
            LRP under --composite is compared with one inference forward pass (target ≤ 3×) and \
            with the convolution floor of an αβ rule: per convolution the model's forward, the \
            forward for z⁺ and two backward-data passes, timed as bare oneDNN primitives. The \
            split's T freeze clips explained in batches of T are compared with the 1 + T \
            sequential LRP passes (target ≥ 1.3× their throughput). Threads: STEXPLAIN_THREADS.

            Example: stexplain bench lrp --runs 3
            """)

    @Option(help: "Timed runs per measurement (the median is reported).")
    var runs = 3

    @Option(help: "Input clip shape N,C,T,H,W (N = 1).")
    var input = "1,3,16,112,112"

    @Option(help: "LRP composite.")
    var composite = "epsilon-alpha2-beta1"

    @Flag(help: "Time LRP only, not the spatial/temporal split (which takes about 2 × 17 LRP passes).")
    var skipSplit = false

    @Flag(help: "Print JSON instead of a table.")
    var json = false

    func validate() throws {
        guard runs >= 1 else { throw ValidationError("--runs must be at least 1") }
        guard let shape = ClipShape.parse(input), shape[0] == 1 else {
            throw ValidationError("--input must be five positive integers 1,C,T,H,W")
        }
    }

    func run() throws {
        let result = try LRPBenchmark(runs: runs, inputShape: ClipShape.parse(input)!, composite: composite,
                                      includesSplit: !skipSplit).run()
        if json {
            try JSONOutput.print(result)
        } else {
            print(result.table)
        }
    }
}

/// `N,C,T,H,W` on the command line.
enum ClipShape {
    static func parse(_ text: String) -> [Int]? {
        guard let values = CommaSeparated.values(text, as: Int.self), values.count == 5, values.allSatisfy({ $0 > 0 }) else {
            return nil
        }
        return values
    }
}
