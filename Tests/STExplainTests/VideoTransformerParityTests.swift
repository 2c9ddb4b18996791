import Foundation
import Testing
import STCore
import STIO
import STModels

/// The built-in video transformer gives PyTorch's logits: scripts/peers/video_transformer.py
/// defines the same network with the same state_dict names, and
/// scripts/peers/export_video_transformer.py wrote a tiny random one per attention layout
/// (safetensors with its ModelSpec in the metadata, a batch of two clips, torch's logits) to
/// Tests/Fixtures/peers/video_transformer_{joint,divided}*. The model is rebuilt from the
/// metadata, as `--model FILE` does, and loaded strictly.
@Suite("Video transformer parity with PyTorch")
struct VideoTransformerParityTests {
    /// max |ours − torch| over max |torch|.
    static let relativeTolerance: Float = 1e-5

    @Test(arguments: ["joint", "divided"])
    func builtInWithExportedWeightsGivesPyTorchLogits(attention: String) throws {
        let key = "video_transformer_\(attention)"
        let checkpoint = try SafeTensors.read(path: PeerFixtures.path(key + ".safetensors"))
        let json = try #require(checkpoint.metadata["stexplain.model"])
        let spec = try JSONDecoder().decode(ModelSpec.self, from: Data(json.utf8))
        #expect(spec.attention == attention)
        var graph = try spec.makeArchitecture().unfilledGraph()
        try graph.load(stateDict: checkpoint.tensors, source: key)
        let input = try PeerFixtures.npy(key + "_input.npy")
        let logits = try graph.forward(input, options: ForwardOptions(observe: [], differentiable: false)).output
        let expected = try PeerFixtures.npy(key + "_logits.npy")
        #expect(logits.shape == expected.shape)
        let error = PeerFixtures.errors(logits, expected)
        print("parity forward safetensors \(key): max abs \(error.absolute), relative \(error.relative)")
        #expect(error.relative <= Self.relativeTolerance, "\(key): |Δ| \(error.absolute), relative \(error.relative)")
        #expect(expected.scalars.map(abs).max() ?? 0 > 0.1, "vacuous comparison: logits \(expected.scalars)")
    }
}
