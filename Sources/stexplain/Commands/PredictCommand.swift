import ArgumentParser
import Foundation
import STCore
import STIO

/// `stexplain predict`: the model's raw outputs for an input — to check an import against the
/// framework it came from, or to see what a model predicts before explaining it.
struct PredictCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "predict",
        abstract: "Run a model on an input and print its top outputs (optionally save them all).",
        discussion: """
            Prints the top outputs of the first sample; --out saves every output (N × classes) \
            as .npy. With --expected, compares them with a reference (e.g. PyTorch's logits for \
            the same input) and prints the largest difference relative to the reference's largest \
            magnitude; exits 1 when it exceeds --tolerance.

            Examples:
              stexplain predict --model vit_b_16.onnx --input x.npy --out logits.npy
              stexplain predict --model swin3d_t.onnx --input x.npy --expected torch_logits.npy
            """)

    @OptionGroup(title: "Model")
    var model: ModelOptions

    @Option(help: "Input: a .npy tensor, a video or an NTU .skeleton file (as for explain).")
    var input: String

    @Option(help: "Videos and .skeleton files: frames to read.")
    var frames = 16

    @Option(help: "Videos: preprocessing preset (kinetics, c3d, none).")
    var preset = VideoPreset.kinetics

    @Option(help: "Outputs to print.")
    var top = 5

    @Option(help: "Save the outputs as .npy here.")
    var out: String?

    @Option(help: "Reference outputs (.npy) to compare with.")
    var expected: String?

    @Option(help: "Largest relative difference --expected allows.")
    var tolerance: Float = 1e-4

    func validate() throws {
        guard top >= 1 else { throw ValidationError("--top must be at least 1") }
    }

    func run() throws {
        let loading = InputLoading(frames: frames, start: 0, stride: 1, preset: preset, windowHop: nil, skeletonLayout: nil)
        var tensor = try loading.load(input)
        let explained = try model.load(inputShape: tensor.shape, input: input, log: .stexplain(quiet: false))
        tensor = try ONNXModel.conformed(tensor, to: explained)
        try explained.validate(input: tensor, source: input)
        let start = Date()
        let outputs = try explained.graph.forward(tensor, options: ForwardOptions(observe: [], differentiable: false)).output
        let seconds = Date().timeIntervalSince(start)
        let first = Array(outputs.scalars.prefix(outputs.shape.last ?? outputs.count))
        let ranked = first.indices.sorted { first[$0] > first[$1] }.prefix(top)
        print(TextTable(header: ["output", "value"], rows: ranked.map { [String($0), String(format: "%.6g", first[$0])] }).rendered)
        print(String(format: "forward: %.3f s, output shape %@", seconds, outputs.shape.map(String.init).joined(separator: "×")))
        if let out { try NPY.write(outputs, to: out) }
        guard let expected else { return }
        let reference = try NPY.read(path: expected)
        guard reference.count == outputs.count else {
            throw STError.badInput(file: expected, reason: "holds \(reference.shape), the model gives \(outputs.shape)")
        }
        let scale = reference.scalars.map(abs).max() ?? 0
        let difference = zip(outputs.scalars, reference.scalars).map { abs($0 - $1) }.max() ?? 0
        let relative = scale > 0 ? difference / scale : difference
        print(String(format: "max |difference| / max |reference| = %.3g (tolerance %.1g)", relative, tolerance))
        if !(relative <= tolerance) { throw ExitCode(1) }
    }
}
