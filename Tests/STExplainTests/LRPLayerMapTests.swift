import Testing
import STCore
import TestSupport
@testable import STExplain

/// The composite's layer map decides what each op kind does with relevance, and the registry
/// holds the names `--composite` takes.
@Suite struct LRPLayerMapTests {
    /// x → fc (W = [[1, 2]], no bias) → ReLU: y = x₁ + 2x₂.
    func reluModel() throws -> Graph {
        var builder = GraphBuilder(shape: [1, 2])
        try builder.add("fc", Linear(bias: false), inputs: ["input"], parameters: ["weight": Tensor(shape: [1, 2], scalars: [1, 2])])
        try builder.add("relu", ReLU(), inputs: ["fc"])
        return try builder.build(output: "relu")
    }

    func inputRelevance(_ composite: LRPComposite) throws -> [Float] {
        let graph = try reluModel()
        let trace = try graph.forward(Tensor(shape: [1, 2], scalars: [1, 1]), options: ForwardOptions(observe: nil))
        return try LRP(composite: composite).inputRelevance(trace: trace, start: trace.output, from: "relu").scalars
    }

    /// Doubles the relevance of the single input.
    struct Doubling: LRPLayerRule {
        func inputRelevance(_ step: LRPStep) throws -> [Tensor?] {
            [Tensor(shape: step.relevance.shape, scalars: step.relevance.scalars.map { 2 * $0 })]
        }
    }

    @Test func reluPassesRelevanceOnAndTheLinearRuleSharesIt() throws {
        // y = 3, shared by ε as x_i·w_i / 3 · 3 = (1, 2).
        let relevance = try inputRelevance(.uniform(EpsilonRule()))
        #expect(zip(relevance, [1, 2]).allSatisfy { abs($0 - $1) < 1e-5 }, "\(relevance)")
    }

    @Test func anEntryAheadOfTheStandardOnesDecides() throws {
        var composite = LRPComposite.uniform(EpsilonRule())
        composite.layerMap = composite.layerMap.prepending(.kinds(ReLU.self), .layer(Doubling()))
        let relevance = try inputRelevance(composite)
        #expect(zip(relevance, [2, 4]).allSatisfy { abs($0 - $1) < 1e-5 }, "\(relevance)")

        composite.layerMap = composite.layerMap.prepending(.kinds(ReLU.self), .unsupported)
        #expect {
            try inputRelevance(composite)
        } throws: { error in
            guard case STError.unsupported(let op) = error else { return false }
            return op == "LRP through ReLU (node 'relu')"
        }
    }

    @Test func theStandardMapRoutesEachKind() {
        let map = LRPLayerMap.standard
        func kind(_ op: any Op) -> String {
            switch map.behaviour(for: op) {
            case .weighted: "weighted"
            case .passThrough: "pass"
            case .routed: "routed"
            case .proportional: "proportional"
            case .layer(let rule): "\(type(of: rule))"
            case .unsupported: "unsupported"
            }
        }
        #expect(kind(ReLU()) == "pass")
        #expect(kind(Softmax(axis: 1)) == "unsupported")
        #expect(kind(Flatten()) == "routed")
        #expect(kind(Add()) == "proportional")
        #expect(kind(Multiply()) == "SignalTakeAllProduct")
        #expect(kind(Pooling(.max, geometry: PoolingGeometry(kernel: [2, 2]))) == "routed")
        #expect(kind(Pooling(.average(countIncludePad: true), geometry: PoolingGeometry(kernel: [2, 2]))) == "proportional")
        #expect(kind(Linear(bias: true)) == "proportional", "weighted layers come from the composite, not the shared map")
        let composite = LRPComposite.epsilonPlus.averagingUniformly()
        guard case .routed = composite.layerMap.behaviour(for: Pooling(.average(countIncludePad: true), geometry: PoolingGeometry(kernel: [2, 2]))) else {
            Issue.record("uniform average pooling routes by the op's backward")
            return
        }
    }

    @Test func theRegistryNamesEveryCompositeOnce() throws {
        #expect(LRPComposite.names == ["epsilon-plus", "epsilon-alpha2-beta1", "deep-taylor", "epsilon-gamma-box", "epsilon",
                                       "attnlrp", "zplus", "alpha1beta0", "alpha2beta1", "gamma", "flat", "wsquare"])
        for entry in LRPComposite.registry {
            let composite = try LRPComposite.named(entry.name, bounds: ([-1], [1]))
            #expect(composite.name == entry.name || composite.name == composite.convolution.name)
        }
        #expect(throws: STError.invalidRequest("the deep-taylor composite needs the input's bounds")) {
            try LRPComposite.named("deep-taylor")
        }
        expectError(.invalidRequest, mentioning: "unknown composite 'zennit'; composites: epsilon-plus, ") {
            try LRPComposite.named("zennit")
        }
    }
}
