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

    /// `models/NAME/model.safetensors` as an explainable model, built from the spec in its metadata.
    static func load(_ name: String) throws -> ExplainedModel {
        let path = directory.appendingPathComponent(name).appendingPathComponent("model.safetensors").path
        let contents = try SafeTensors.read(path: path)
        let spec = try JSONDecoder().decode(ModelSpec.self, from: Data(contents.metadata["stexplain.model"]!.utf8))
        var graph = try spec.makeArchitecture().graph(seed: 0)
        _ = try graph.load(stateDict: contents.tensors, source: path)
        return try ExplainedModel(spec: spec, graph: graph)
    }
}
