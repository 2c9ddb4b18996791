import Testing
import STCore
@testable import STModels

/// The graph a checkpoint fills has the initialised graph's structure, names and shapes, and
/// zero where the initialised one drew random weights.
@Suite struct UnfilledGraphTests {
    @Test(arguments: ["r3d_18", "c3d", "st_gcn", "cnn_lstm_attention", "posenet", "small_cam_net_3d"])
    func sameStructureWithoutRandomWeights(name: String) throws {
        var spec = try ModelSpec.published(name)
        spec.classes = min(spec.classes, 10)
        let architecture = try spec.makeArchitecture()
        let initialised = try architecture.graph(seed: 3)
        let unfilled = try architecture.unfilledGraph()
        #expect(unfilled.nodes.map(\.name) == initialised.nodes.map(\.name))
        #expect(unfilled.parameters.mapValues(\.shape) == initialised.parameters.mapValues(\.shape))
        #expect(unfilled.buffers.mapValues(\.shape) == initialised.buffers.mapValues(\.shape))
        if name != "st_gcn" {
            let weights = unfilled.parameters.filter { $0.key.hasSuffix("weight") && $0.value.rank > 1 }
            #expect(!weights.isEmpty)
            #expect(weights.values.allSatisfy { $0.scalars.allSatisfy { $0 == 0 } }, "\(name)")
        }
    }
}
