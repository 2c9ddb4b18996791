import Foundation
import STCore
import STExplain
import STIO
import STModels

/// Resolves `--model` / `--weights` into an explainable model.
///
/// `--model` is an architecture name (weights from `--weights`, PyTorch state_dict names, the
/// number of classes read off the head's weight), a `.safetensors` file written by
/// `stexplain train` (its metadata names the architecture and size), or a directory holding
/// `model.safetensors` (the demo models under `models/`), or an ONNX file (`ONNXModel`). The
/// graph is built for the input's own shape (frames, joints, persons), with a batch of one.
struct ModelLoading {
    var model: String
    var weights: String?
    var strict: Bool
    var randomWeights: Bool
    /// How an ONNX model's input layout and tokens are read.
    var onnx = ONNXOptions()

    /// The model and the state keys a non-strict load could not match (to print as warnings).
    /// `input` names the input file in errors about its shape.
    func load(inputShape: [Int], input: String) throws -> (model: ExplainedModel, warnings: [String]) {
        if model.hasSuffix(".onnx") {
            return (try ONNXModel.explainable(path: model, inputShape: inputShape, input: input, options: onnx), [])
        }
        let weightsPath: String?
        var directory: ObjCBool = false
        if FileManager.default.fileExists(atPath: model, isDirectory: &directory), directory.boolValue {
            weightsPath = "\(model)/model.safetensors"
        } else if model.hasSuffix(".safetensors") {
            weightsPath = model
        } else {
            guard ModelSpec.architectures.contains(model) else {
                throw STError.badInput(file: model, reason: "no such model file, and not a built-in architecture ("
                                       + ModelSpec.architectures.joined(separator: ", ") + ")")
            }
            guard weights != nil || randomWeights else {
                throw STError.invalidRequest("--model \(model) needs --weights w.safetensors (or --random-weights)")
            }
            weightsPath = weights
        }
        let checkpoint = try weightsPath.map { try SafeTensors.read(path: $0) }
        var spec = try self.spec(checkpoint: checkpoint, file: weightsPath ?? model)
        guard inputShape.count == spec.inputShape.count, inputShape[1] == spec.inputShape[1] else {
            throw STError.badInput(file: input, reason: "input of shape \(inputShape) does not fit \(spec.architecture), "
                                   + "which takes N × \(spec.inputShape.dropFirst().map(String.init).joined(separator: " × "))")
        }
        spec.inputShape = [1] + inputShape.dropFirst()
        let architecture: any Architecture
        var graph: Graph
        do {
            architecture = try spec.makeArchitecture()
            // A strict load replaces every parameter, so the random initial weights need not be drawn.
            graph = try checkpoint != nil && strict ? architecture.unfilledGraph() : architecture.graph(seed: 0)
        } catch let error as STError {
            throw STError.badInput(file: input, reason: "input of shape \(inputShape) does not fit \(spec.architecture): \(error)")
        }
        var warnings: [String] = []
        if let checkpoint, let weightsPath {
            let report = try graph.load(stateDict: checkpoint.tensors, strict: strict, source: weightsPath)
            warnings = report.warnings
        }
        return (ExplainedModel(graph: graph, description: architecture.modelDescription), warnings)
    }

    /// The architecture and size: from a trained file's metadata, else from `--model` and the
    /// head's weight shape.
    private func spec(checkpoint: SafeTensors.Contents?, file: String) throws -> ModelSpec {
        if let json = checkpoint?.metadata["stexplain.model"] {
            do {
                return try JSONDecoder().decode(ModelSpec.self, from: Data(json.utf8))
            } catch {
                throw STError.badInput(file: file, reason: "metadata stexplain.model is not a model description")
            }
        }
        guard ModelSpec.architectures.contains(model) else {
            throw STError.badInput(file: file, reason: "no stexplain.model metadata; give the architecture with --model and the file with --weights")
        }
        let published = try ModelSpec.published(model)
        guard let key = Self.headWeightKeys[model] else { return published }
        guard let head = checkpoint?.tensors[key] else {
            return published
        }
        return try ModelSpec(architecture: model, classes: head.shape[0])
    }

    /// The classifier weight whose first axis is the number of classes.
    static let headWeightKeys = [
        "r3d_18": "fc.weight", "mc3_18": "fc.weight", "r2plus1d_18": "fc.weight", "c3d": "fc8.weight",
        "st_gcn": "fcn.weight", "cnn_lstm": "fc.weight", "cnn_lstm_attention": "fc.weight",
        "small_cam_net_2d": "classifier.weight", "small_cam_net_3d": "classifier.weight",
    ]
}
