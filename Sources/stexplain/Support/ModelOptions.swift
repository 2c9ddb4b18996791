import ArgumentParser
import Foundation
import Logging
import STCore
import STExplain

/// The model options `explain` and `evaluate` share: which model, its weights and how an ONNX
/// model's input and tokens are read.
struct ModelOptions: ParsableArguments {
    @Option(help: "Built-in architecture name, an ONNX file, a .safetensors file written by `stexplain train`, or a directory holding model.safetensors.")
    var model: String

    @Option(help: "Weights (safetensors, PyTorch state_dict names) for an architecture name.")
    var weights: String?

    @Flag(help: "Load weights whose keys or shapes do not all match, listing the differences as warnings.")
    var nonStrict = false

    @Flag(help: "Use freshly initialised weights (for timing and testing).")
    var randomWeights = false

    @OptionGroup(title: "ONNX models")
    var onnx: ONNXOptions

    /// The model built for inputs of `inputShape`; `input` names the input file in errors about
    /// its shape. A non-strict load's differences go to `log` as warnings.
    func load(inputShape: [Int], input: String, log: Logger) throws -> ExplainedModel {
        let started = Date()
        let loading = ModelLoading(model: model, weights: weights, strict: !nonStrict, randomWeights: randomWeights, onnx: onnx)
        let (explained, warnings) = try loading.load(inputShape: inputShape, input: input)
        // The freshly initialised weights the checkpoint replaced leave freed heap space behind
        // (the size of the model); returned now, it does not add to every later peak.
        releaseFreeHeapPages()
        for warning in warnings { log.warning("\(warning)") }
        let seconds = String(format: "%.3f", Date().timeIntervalSince(started))
        log.debug("model \(model): \(explained.graph.nodes.count) nodes, default layer \(explained.defaultLayer), loaded in \(seconds) s")
        return explained
    }

    /// The options as a run's resume record keeps them.
    var resumeKey: [String: String] {
        ["--model": model, "--weights": weights ?? "", "--non-strict": "\(nonStrict)", "--random-weights": "\(randomWeights)",
         "--input-layout": onnx.inputLayout ?? "", "--token-grid": onnx.tokenGrid ?? "",
         "--class-tokens": onnx.classTokens.map(String.init) ?? ""]
    }
}

/// The methods and layer `explain` and `evaluate` share.
struct MethodSelection: ParsableArguments {
    @Option(name: [.customLong("method"), .customLong("methods")],
            help: "Methods, comma-separated (--method and --methods are the same option).")
    var methods = CommaList<Method>([.gradcam])

    @Option(help: "Layer for CAM methods and guided Grad-CAM (default: the architecture's last feature layer).")
    var layer: String?

    var resumeKey: [String: String] {
        ["--methods": methods.defaultValueDescription, "--layer": layer ?? ""]
    }
}

/// How `explain` and `evaluate` split their work: inputs per forward pass and the shard of a
/// dataset or manifest this process takes.
struct BatchOptions: ParsableArguments {
    @Option(help: "Inputs per forward pass: perturbed or scaled copies for integrated gradients, SmoothGrad, occlusion and lrp-st (explain, default 16); samples per explanation batch (evaluate, default 32).")
    var batchSize: Int?

    @Option(help: "Process shard i of N ('i/N', 0-based): a contiguous block of the samples or manifest lines; `stexplain merge` combines the shards' outputs.")
    var shard: Shard?

    func validate() throws {
        if let batchSize, batchSize < 1 { throw ValidationError("--batch-size must be at least 1") }
    }

    func resumeKey(defaultBatchSize: Int) -> [String: String] {
        ["--batch-size": "\(batchSize ?? defaultBatchSize)", "--shard": shard?.defaultValueDescription ?? ""]
    }
}
