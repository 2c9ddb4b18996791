import Foundation
import Testing
import STCore
import TestSupport
@testable import STIO

@Suite struct StateDictLoadingTests {
    /// Spatial partition of the 3-joint chain 0–1–2: A[0] = I (the joint itself), A[1] = the
    /// neighbours with each column divided by its degree (1, 2, 1). Flat index of [1, 0, 1] is 10.
    static let adjacency = Tensor(shape: [2, 3, 3], scalars: [1, 0, 0, 0, 1, 0, 0, 0, 1,
                                                             0, 0.5, 0, 1, 0, 1, 0, 0.5, 0])

    /// input (2, 3) → Linear `fc` (4 outputs) → BatchNorm `bn`, plus the buffer `A`.
    static func graph() throws -> Graph {
        var builder = GraphBuilder(input: "input", shape: [2, 3])
        try builder.add("fc", Linear(), inputs: ["input"],
                        parameters: ["weight": .randomNormal(shape: [4, 3], seed: 1), "bias": Tensor(zeros: [4])])
        try builder.add("bn", BatchNorm(), inputs: ["fc"],
                        parameters: ["weight": Tensor(repeating: 1, shape: [4]), "bias": Tensor(zeros: [4])],
                        buffers: ["running_mean": Tensor(zeros: [4]), "running_var": Tensor(repeating: 1, shape: [4])])
        try builder.add("adjacency", BufferValue(), inputs: [], buffers: ["value": adjacency], bufferKeys: ["A"])
        return try builder.build(output: "bn")
    }

    /// A checkpoint as PyTorch saves this module: new values for every key, the same `A`, and
    /// batch norm's step counter.
    static func checkpoint() throws -> [String: Tensor] {
        var state = try graph().stateDict
        for (offset, key) in state.keys.sorted().enumerated() where key != "A" {
            state[key] = .randomUniform(shape: state[key]!.shape, in: 0.5...1.5, seed: UInt64(100 + offset))
        }
        state["bn.num_batches_tracked"] = Tensor(250)
        return state
    }

    @Test func strictLoadAssignsEveryKeyAndIgnoresNumBatchesTracked() throws {
        var graph = try Self.graph()
        let checkpoint = try Self.checkpoint()
        let report = try graph.load(stateDict: checkpoint, source: "ckpt.safetensors")
        #expect(report.loaded == ["bn.bias", "bn.running_mean", "bn.running_var", "bn.weight", "fc.bias", "fc.weight"])
        #expect(report.ignored == ["bn.num_batches_tracked"])
        #expect(report.verified == ["A"])
        #expect(report.isComplete && report.warnings.isEmpty && report.summary.isEmpty)
        for key in report.loaded {
            #expect(graph.stateDict[key] == checkpoint[key], "\(key)")
        }
        #expect(graph.buffers["A"] == Self.adjacency)
        #expect(graph.buffers["bn.num_batches_tracked"] == nil)
    }

    /// fc.bias and bn.running_var removed, head.weight added, fc.weight transposed.
    static func faultyCheckpoint() throws -> [String: Tensor] {
        var checkpoint = try Self.checkpoint()
        checkpoint["fc.bias"] = nil
        checkpoint["bn.running_var"] = nil
        checkpoint["head.weight"] = Tensor(zeros: [2, 4])
        checkpoint["fc.weight"] = Tensor(zeros: [3, 4])
        return checkpoint
    }

    @Test func strictLoadReportsMissingUnexpectedAndMismatchedKeysTogetherAndChangesNothing() throws {
        var graph = try Self.graph()
        let original = graph.stateDict
        let error = badInput { try graph.load(stateDict: try Self.faultyCheckpoint(), source: "ckpt.safetensors") }
        #expect(error?.file == "ckpt.safetensors")
        #expect(error?.reason == "missing: bn.running_var, fc.bias; unexpected: head.weight; "
                + "shape mismatch: fc.weight expected [4, 3] got [3, 4]")
        #expect(graph.stateDict.keys.allSatisfy { graph.stateDict[$0] == original[$0] })
    }

    @Test func nonStrictLoadsWhatFitsAndListsTheRestAsWarnings() throws {
        var graph = try Self.graph()
        let original = graph.stateDict
        let checkpoint = try Self.faultyCheckpoint()
        let report = try graph.load(stateDict: checkpoint, strict: false, source: "ckpt.safetensors")
        #expect(report.loaded == ["bn.bias", "bn.running_mean", "bn.weight"])
        #expect(report.missing == ["bn.running_var", "fc.bias"])
        #expect(report.unexpected == ["head.weight"])
        #expect(report.shapeMismatches == [.init(key: "fc.weight", expected: [4, 3], got: [3, 4])])
        #expect(report.ignored == ["bn.num_batches_tracked"])
        #expect(report.warnings == ["missing: bn.running_var", "missing: fc.bias", "unexpected: head.weight",
                                    "shape mismatch: fc.weight expected [4, 3] got [3, 4]"])
        for key in report.loaded {
            #expect(graph.stateDict[key] == checkpoint[key], "\(key)")
        }
        for key in ["bn.running_var", "fc.bias", "fc.weight"] {
            #expect(graph.stateDict[key] == original[key], "\(key)")
        }
    }

    @Test func longProblemListsAreCutAfterFiveNames() throws {
        var graph = try Self.graph()
        var checkpoint = try Self.checkpoint()
        for index in 0..<8 {
            checkpoint["extra.\(index)"] = Tensor(1)
        }
        let error = badInput { try graph.load(stateDict: checkpoint, source: "ckpt.safetensors") }
        #expect(error?.reason == "unexpected: extra.0, extra.1, extra.2, extra.3, extra.4 … and 3 more")
    }

    @Test func adjacencyWithinToleranceIsAcceptedAndTheGraphsOwnIsKept() throws {
        var graph = try Self.graph()
        var checkpoint = try Self.checkpoint()
        checkpoint["A"] = Tensor(shape: [2, 3, 3], scalars: Self.adjacency.scalars.map { $0 + 4e-6 })
        let report = try graph.load(stateDict: checkpoint, source: "ckpt.safetensors")
        #expect(report.verified == ["A"])
        #expect(graph.buffers["A"] == Self.adjacency)
    }

    @Test func adjacencyThatDiffersIsAnErrorEvenWhenNotStrict() throws {
        var graph = try Self.graph()
        var checkpoint = try Self.checkpoint()
        var scalars = Self.adjacency.scalars
        scalars[10] = 1  // A[1, 0, 1]: 0.5 in the graph → |Δ| = 0.5
        checkpoint["A"] = Tensor(shape: [2, 3, 3], scalars: scalars)
        for strict in [true, false] {
            let error = badInput { try graph.load(stateDict: checkpoint, strict: strict, source: "stgcn.safetensors") }
            #expect(error?.file == "stgcn.safetensors")
            #expect(error?.reason == "adjacency 'A' differs from the graph's partition: |Δ| = 0.5 at element 10 "
                    + "(checkpoint 1.0, graph 0.5; tolerance 1e-05)")
        }
        checkpoint["A"] = Tensor(zeros: [3, 3, 3])
        let shapeError = badInput { try graph.load(stateDict: checkpoint, source: "stgcn.safetensors") }
        #expect(shapeError?.reason == "adjacency 'A' differs from the graph's partition: shape [3, 3, 3] in the "
                + "checkpoint, [2, 3, 3] in the graph")
        #expect(graph.buffers["A"] == Self.adjacency)
    }

    @Test func checkpointWithoutAdjacencyIsComplete() throws {
        var graph = try Self.graph()
        var checkpoint = try Self.checkpoint()
        checkpoint["A"] = nil
        let report = try graph.load(stateDict: checkpoint, source: "ckpt.safetensors")
        #expect(report.isComplete && report.verified.isEmpty)
    }

    @Test func loadModelWeightsReadsAFileWithAnI64CounterAndNamesTheFileInErrors() throws {
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        let checkpoint = try Self.checkpoint()
        let entries = checkpoint.filter { $0.key != "bn.num_batches_tracked" }.sorted { $0.key < $1.key }
            .map { (name: $0.key, dtype: "F32", shape: $0.value.shape, bytes: float32Bytes($0.value.scalars)) }
        let counter = (name: "bn.num_batches_tracked", dtype: "I64", shape: [Int](), bytes: littleEndianBytes([Int64(250)]))
        let path = scratch.file("tiny.safetensors")
        try Data(safetensorsBytes(entries + [counter])).write(to: URL(fileURLWithPath: path))

        var graph = try Self.graph()
        let report = try SafeTensors.loadModelWeights(path: path, into: &graph)
        #expect(report.ignored == ["bn.num_batches_tracked"] && report.isComplete)
        #expect(graph.parameters["fc.weight"] == checkpoint["fc.weight"])

        let partial = scratch.file("partial.safetensors")
        try Data(safetensorsBytes(entries.filter { $0.name != "bn.bias" })).write(to: URL(fileURLWithPath: partial))
        let error = badInput { try SafeTensors.loadModelWeights(path: partial, into: &graph) }
        #expect(error?.file == partial && error?.reason == "missing: bn.bias")
    }
}
