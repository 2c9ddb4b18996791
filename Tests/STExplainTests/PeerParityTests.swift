import Foundation
import Testing
import STCore
@testable import STExplain
import STIO
import STModels

/// The same numbers as PyTorch and its explanation libraries on the models of
/// Tests/Fixtures/peers/ (scripts/peers/export.py; docs/peers.md says what each comparison
/// holds fixed and where the definitions differ).
///
/// Error measure: max |ours − peer| over all elements, relative to max |peer|. Tolerances:
/// 1e-4 for every exact method (forward passes, CAM maps, input gradients, LRP) and for
/// integrated gradients (same 50 Gauss–Legendre points as Captum, so the same sum); occlusion
/// differences of two logits each, 1e-4 of the largest drop as well.
@Suite("Parity with PyTorch, pytorch-grad-cam, Captum and zennit")
struct PeerParityTests {
    static let relativeTolerance: Float = 1e-4

    static let modelKeys = PeerFixtures.manifest.models.keys.sorted()
    static let onnxKeys = modelKeys.filter { PeerFixtures.manifest.models[$0]?.onnx != nil }

    private func forward(_ graph: Graph, _ input: Tensor) throws -> Tensor {
        try graph.forward(input, options: ForwardOptions(observe: [], differentiable: false)).output
    }

    /// Each built-in architecture, built at the exported size with the exported state_dict loaded
    /// strictly, gives PyTorch's logits.
    @Test(arguments: modelKeys)
    func builtInWithExportedWeightsGivesPyTorchLogits(model key: String) throws {
        let entry = try #require(PeerFixtures.manifest.models[key])
        let graph = try PeerFixtures.builtIn(key).graph
        let logits = try forward(graph, try PeerFixtures.npy(entry.input))
        let expected = try PeerFixtures.npy(entry.logits)
        #expect(logits.shape == expected.shape)
        let error = PeerFixtures.errors(logits, expected)
        print("parity forward safetensors \(key): max abs \(error.absolute), relative \(error.relative)")
        #expect(error.relative <= Self.relativeTolerance, "\(key): |Δ| \(error.absolute), relative \(error.relative)")
    }

    /// The ONNX export of each model (TorchScript exporter, opset 17, batch norms folded) imports
    /// to a graph giving PyTorch's logits.
    @Test(arguments: onnxKeys)
    func onnxExportGivesPyTorchLogits(model key: String) throws {
        let entry = try #require(PeerFixtures.manifest.models[key])
        let imported = try ONNXImporter.read(path: PeerFixtures.path(try #require(entry.onnx)))
        let logits = try forward(imported.graph, try PeerFixtures.npy(entry.input))
        let expected = try PeerFixtures.npy(entry.logits)
        let error = PeerFixtures.errors(logits, expected)
        print("parity forward onnx \(key): max abs \(error.absolute), relative \(error.relative)")
        #expect(logits.shape == expected.shape)
        #expect(error.relative <= Self.relativeTolerance, "\(key): |Δ| \(error.absolute), relative \(error.relative)")
    }

    /// Our explanation of the peer case's model, method, layer and settings, for the exported
    /// target class, and the part of it the peer's file holds.
    static func ours(for peerCase: PeerFixtures.Case) throws -> Tensor {
        let entry = PeerFixtures.manifest.models[peerCase.model]!
        let model = try PeerFixtures.builtIn(peerCase.model).model
        let method = try Method(named: peerCase.method)
        let composite: LRPComposite = switch peerCase.composite {
        case nil: .epsilonPlus
        case "deep-taylor": .deepTaylor(low: peerCase.low ?? [], high: peerCase.high ?? [])
        case "zplus-bias": .uniform(ZPlusRule(includesBias: true))
        case let name?: try LRPComposite.named(name)
        }
        let explainer: any Explainer = switch method {
        case _ where method.isCAM: CAMExplainer(method.camWeighting!, layer: peerCase.layer)
        case .guidedGradcam: GuidedGradCAMExplainer(layer: peerCase.layer)
        case .occlusion: OcclusionExplainer(window: peerCase.window, stride: peerCase.stride)
        case .integratedGradients: IntegratedGradientsExplainer(steps: peerCase.steps ?? 50)
        case .lrp: LRPExplainer(composite: composite)
        case .lrpSpatioTemporal: SpatioTemporalLRPExplainer(composite: composite)
        default: method.explainer
        }
        let explanation = try explain(try PeerFixtures.npy(entry.input), model: model, explainer: explainer,
                                      target: .classIndex(entry.target))
        return method.isCAM || method == .occlusion ? explanation.map : explanation.attribution
    }

    /// The peer's output as we define the method: pytorch-grad-cam's stored map is taken before
    /// its ReLU, which every CAM method here but HiResCAM also applies (docs/peers.md).
    static func expected(for peerCase: PeerFixtures.Case) throws -> Tensor {
        let stored = try PeerFixtures.npy(peerCase.output)
        let method = try Method(named: peerCase.method)
        guard peerCase.peer == "pytorch-grad-cam", method.camWeighting?.rectified == true else { return stored }
        return Tensor(shape: stored.shape, scalars: stored.scalars.map { max($0, 0) })
    }

    @Test(arguments: PeerFixtures.manifest.cases)
    func explanationMatchesPeer(_ peerCase: PeerFixtures.Case) throws {
        let ours = try Self.ours(for: peerCase)
        let expected = try Self.expected(for: peerCase)
        #expect(ours.shape == expected.shape, "ours \(ours.shape), \(peerCase.peer) \(expected.shape)")
        let error = PeerFixtures.errors(ours, expected)
        print("parity \(peerCase.testDescription): max abs \(error.absolute), relative \(error.relative)")
        #expect(error.relative <= Self.relativeTolerance,
                "\(peerCase.testDescription): |Δ| \(error.absolute), relative \(error.relative) (\(peerCase.compared))")
    }
}
