import Foundation
import Testing
import STCore
import STExplain
import STIO
import STModels

/// Tests/Fixtures/peers/, written by scripts/peers/export.py: small models exported from PyTorch
/// (safetensors + ONNX), their inputs and logits, and the outputs of pytorch-grad-cam, Captum and
/// zennit on them, described by `manifest.json` (see the README.md in that folder).
enum PeerFixtures {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/peers")

    static func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

    /// One exported model.
    struct Model: Decodable, Sendable {
        var safetensors: String
        var input: String
        var logits: String
        /// The built-in architecture and size (the file's `stexplain.model` metadata); nil when no
        /// `ModelSpec` describes the model (the CNN-LSTM, whose sizes `build` lists).
        var spec: ModelSpec?
        /// The class every explanation of this model explains (PyTorch's top class).
        var target: Int
        var onnx: String?
        var build: CNNLSTMBuild?
    }

    /// The CNN-LSTM's sizes (hidden and attention widths are not part of `ModelSpec`).
    struct CNNLSTMBuild: Decodable, Sendable {
        var widthMultiplier: Double
        var hiddenSize: Int
        var attentionSize: Int
        var inputShape: [Int]
    }

    /// One peer output to reproduce.
    struct Case: Decodable, Sendable, CustomTestStringConvertible {
        var model: String
        var method: String
        var peer: String
        var output: String
        var layer: String?
        var composite: String?
        var window: [Int]?
        var stride: [Int]?
        var steps: Int?
        var low: [Float]?
        var high: [Float]?
        /// What of the peer's output the file holds.
        var compared: String

        var testDescription: String {
            "\(model) \(method)\(composite.map { " \($0)" } ?? "")\(layer.map { " @\($0)" } ?? "") vs \(peer)"
        }
    }

    struct Manifest: Decodable, Sendable {
        var models: [String: Model]
        var cases: [Case]
    }

    static let manifest: Manifest = {
        do {
            return try JSONDecoder().decode(Manifest.self, from: Data(contentsOf: directory.appendingPathComponent("manifest.json")))
        } catch {
            preconditionFailure("Tests/Fixtures/peers/manifest.json: \(error)")
        }
    }()

    static func npy(_ name: String) throws -> Tensor { try NPY.read(path: path(name)) }

    /// The model's graph built as the built-in architecture with the exported safetensors loaded
    /// strictly (every key used, none missing).
    static func builtIn(_ key: String) throws -> (model: ExplainedModel, graph: Graph) {
        let entry = manifest.models[key]!
        let architecture: any Architecture
        if let spec = entry.spec {
            architecture = try spec.makeArchitecture()
        } else {
            let build = entry.build!
            architecture = CNNLSTM(classes: 5, backbone: .plain(stageChannels: [32, 64, 128]),
                                   widthMultiplier: build.widthMultiplier, hiddenSize: build.hiddenSize,
                                   attention: true, attentionSize: build.attentionSize, inputShape: build.inputShape)
        }
        var graph = try architecture.graph(seed: 0)
        try graph.load(stateDict: try SafeTensors.read(path: path(entry.safetensors)).tensors, source: entry.safetensors)
        return (ExplainedModel(graph: graph, description: architecture.modelDescription), graph)
    }

    /// The largest absolute difference and that difference relative to the largest |expected|.
    static func errors(_ actual: Tensor, _ expected: Tensor) -> (absolute: Float, relative: Float) {
        let absolute = zip(actual.plain().scalars, expected.plain().scalars).map { abs($0 - $1) }.max() ?? .infinity
        let scale = expected.plain().scalars.map(abs).max() ?? 0
        return (absolute, scale > 0 ? absolute / scale : absolute)
    }
}
