import Testing
import TestSupport
@testable import STCore

@Suite struct GraphTests {
    @Test func buildingAGraphWithMismatchedShapesNamesTheNode() throws {
        var builder = GraphBuilder(input: "input", shape: [1, 3, 8, 8])
        try builder.add("features.0", Convolution(geometry: ConvolutionGeometry(spatialRank: 2), bias: false),
                        inputs: ["input"], parameters: ["weight": Tensor(zeros: [4, 5, 3, 3])])
        expectError(.shape, about: "features.0", mentioning: "expects 5 input channels, got 3") {
            try builder.build(output: "features.0")
        }
    }

    @Test func forwardRejectsAnInputOfTheWrongShapeNamingTheInput() throws {
        var builder = GraphBuilder(input: "clip", shape: [1, 3, 4, 8, 8])
        try builder.add("relu", ReLU(), inputs: ["clip"])
        let graph = try builder.build(output: "relu")
        #expect(throws: STError.shape(node: "clip", reason: "expected input shape [1, 3, 4, 8, 8] (any batch), got [1, 3, 8, 8]")) {
            try graph.forward(Tensor(zeros: [1, 3, 8, 8]))
        }
        #expect(try graph.forward(Tensor(zeros: [5, 3, 4, 8, 8])).output.shape == [5, 3, 4, 8, 8])
    }

    @Test func aliasesResolveToTheNodeComputingTheModule() throws {
        var builder = GraphBuilder(input: "input", shape: [1, 2])
        try builder.add("block.relu", ReLU(), inputs: ["input"])
        builder.alias("block", to: "block.relu")
        let graph = try builder.build(output: "block.relu")
        let trace = try graph.forward(Tensor(shape: [1, 2], scalars: [-1, 2]))
        #expect(trace["block"]?.scalars == [0, 2])
        #expect(throws: STError.unknownNode("block.nothing")) { try trace.activation("block.nothing") }
    }

    @Test func nonDifferentiableForwardKeepsOnlyWhatIsObserved() throws {
        var builder = GraphBuilder(input: "input", shape: [1, 2])
        try builder.add("a", ReLU(), inputs: ["input"])
        try builder.add("b", ReLU(), inputs: ["a"])
        try builder.add("c", ReLU(), inputs: ["b"])
        let graph = try builder.build(output: "c")
        let trace = try graph.forward(Tensor(shape: [1, 2], scalars: [1, 2]),
                                      options: ForwardOptions(observe: ["a"], differentiable: false))
        #expect(trace["a"] != nil)
        #expect(trace["b"] == nil)
        #expect(trace.output.scalars == [1, 2])
        expectError(.invalidRequest, mentioning: "no gradient at 'a'", "not differentiable") {
            try trace.gradient(of: .sum, at: ["a"])
        }
    }
}
