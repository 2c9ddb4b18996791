import Foundation
import STCore
import STIO
import STModels
@testable import STExplain

/// The trained demo models committed under `models/` (retrained by `make models`).
enum DemoModels {
    static let directory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("models")

    /// `models/NAME/model.safetensors` as an explainable model, built from the spec in its metadata
    /// (for `inputShape`, batch of one, when given: e.g. fewer frames).
    static func load(_ name: String, inputShape: [Int]? = nil) throws -> ExplainedModel {
        let path = directory.appendingPathComponent(name).appendingPathComponent("model.safetensors").path
        let contents = try SafeTensors.read(path: path)
        var spec = try JSONDecoder().decode(ModelSpec.self, from: Data(contents.metadata["stexplain.model"]!.utf8))
        if let inputShape { spec.inputShape = inputShape }
        let architecture = try spec.makeArchitecture()
        var graph = try architecture.graph(seed: 0)
        _ = try graph.load(stateDict: contents.tensors, source: path)
        return ExplainedModel(graph: graph, description: architecture.modelDescription)
    }
}
