import Testing
import STCore
import TestSupport
@testable import STModels

@Suite struct STGCNTests {
    /// st-gcn's NTU RGB+D model (60 classes, 3 × 300 × 25 × 2 input), built once.
    static let fullSize = Result { try STGCN().graph() }

    @Test func parameterCountMatchesStGCNsNTUModel() throws {
        // st-gcn Model(in_channels=3, num_class=60, graph 'ntu-rgb+d'/'spatial',
        // edge_importance_weighting=True), K = 3, V = 25; conv weights + biases, BN γ + β:
        //   data_bn                      2·75                                         =       150
        //   block 0 (3→64)               gcn 3·192+192, tcn.0 128, tcn.2 64·64·9+64, tcn.3 128 =  37,952
        //   blocks 1–3 (64→64)           3 × (64·192+192 + 128 + 36,928 + 128)         =   148,992
        //   block 4 (64→128, stride 2)   64·384+384 + 256 + 128·128·9+128 + 256 + 64·128+128 + 256 = 181,632
        //   blocks 5–6 (128→128)         2 × (128·384+384 + 256 + 147,584 + 256)       =   395,264
        //   block 7 (128→256, stride 2)  128·768+768 + 512 + 256·256·9+256 + 512 + 128·256+256 + 512 = 723,712
        //   blocks 8–9 (256→256)         2 × (256·768+768 + 512 + 590,080 + 512)       = 1,576,960
        //   edge_importance.0–9          10 · 3·25·25                                  =    18,750
        //   fcn                          256·60 + 60                                   =    15,420
        //   total                                                                      = 3,098,832
        #expect(try Self.fullSize.get().parameterCount == 3_098_832)
    }

    @Test func stateDictKeysFollowStGCNNames() throws {
        let graph = try Self.fullSize.get()
        let keys = Set(graph.stateDict.keys)
        for key in ["data_bn.weight", "data_bn.running_mean", "st_gcn_networks.0.gcn.conv.weight",
                    "st_gcn_networks.0.gcn.conv.bias", "st_gcn_networks.1.tcn.0.running_var",
                    "st_gcn_networks.1.tcn.2.weight", "st_gcn_networks.1.tcn.3.bias",
                    "st_gcn_networks.4.residual.0.weight", "st_gcn_networks.7.residual.1.running_mean",
                    "edge_importance.0", "edge_importance.9", "fcn.weight", "fcn.bias", "A"] {
            #expect(keys.contains(key), "missing \(key)")
        }
        // Block 0 has no residual; blocks of unchanged width and stride add the input itself.
        #expect(!keys.contains("st_gcn_networks.0.residual.0.weight"))
        #expect(!keys.contains("st_gcn_networks.5.residual.0.weight"))
        #expect(graph.parameters["data_bn.weight"]?.shape == [75])
        #expect(graph.parameters["st_gcn_networks.0.gcn.conv.weight"]?.shape == [192, 3, 1, 1])
        #expect(graph.parameters["st_gcn_networks.4.tcn.2.weight"]?.shape == [128, 128, 9, 1])
        #expect(graph.parameters["edge_importance.9"] == Tensor(repeating: 1, shape: [3, 25, 25]))
        #expect(graph.parameters["fcn.weight"]?.shape == [60, 256, 1, 1])
    }

    @Test func adjacencyNodeAndBufferHoldTheNTUSpatialPartition() throws {
        let graph = try Self.fullSize.get()
        let node = try graph.node(named: STGCN.adjacencyNode)
        #expect(node.op is BufferValue)
        #expect(node.bufferKeys == ["A"])
        let expected = try SpatialPartition(layout: .ntuRGBD).adjacency
        #expect(try STGCN().adjacency == expected)
        // The blocks read the buffer a checkpoint's `A` is loaded into (not a parameter).
        #expect(graph.buffers["A"] == expected)
        #expect(graph.parameters["A"] == nil)
    }

    @Test func fullSizeForwardGivesLogitsAndAQuarterLengthLastBlock() throws {
        let graph = try Self.fullSize.get()
        let x = Tensor.randomNormal(shape: [1, 3, 300, 25, 2], seed: 7)
        let trace = try graph.forward(x, options: ForwardOptions(observe: [STGCN.defaultLayer], differentiable: false))
        #expect(trace.output.shape == [1, 60])
        // (N·M, 256, T/4, V): blocks 4 and 7 each take T to ⌈T/2⌉.
        #expect(try trace.activation(STGCN.defaultLayer).shape == [2, 256, 75, 25])
    }

    @Test func dataBNNormalisesEachJointCoordinateAndFoldsPersonsIntoTheBatch() throws {
        // With running statistics (0, 1), zero shift and scale s[v·C + c] = v·C + c + 1, the
        // skeleton tensor entering block 0 is x[n, c, t, v, m]·s[v·C + c]/√(1 + ε) at row n·M + m.
        let model = STGCN(classes: 2, frames: 3, widthMultiplier: 0.0625)
        var graph = try model.graph(seed: 1)
        graph.parameters["data_bn.weight"] = Tensor(shape: [75], scalars: (1...75).map(Float.init))
        let x = Tensor.randomNormal(shape: [2, 3, 3, 25, 2], seed: 2)
        let trace = try graph.forward(x, options: ForwardOptions(observe: ["view_skeletons"]))
        let skeletons = try trace.activation("view_skeletons")
        #expect(skeletons.shape == [4, 3, 3, 25])
        let inverseDeviation = 1 / Float(1 + 1e-5).squareRoot()
        for n in 0..<2 {
            for m in 0..<2 {
                for c in 0..<3 {
                    for t in 0..<3 {
                        for v in 0..<25 {
                            let expected = x[n, c, t, v, m] * Float(v * 3 + c + 1) * inverseDeviation
                            #expect(abs(skeletons[n * 2 + m, c, t, v] - expected) < 1e-5 * max(1, abs(expected)))
                        }
                    }
                }
            }
        }
    }

    @Test func graphConvolutionAggregatesPartitionsWeightedByEdgeImportance() throws {
        // A three-joint chain 0 — 1 — 2 centred on 1. Degrees with self-links: 2, 3, 2, so
        // Â = B·D⁻¹ has columns 1/2, 1/3, 1/2. d(·, center) = 1, 0, 1. Subsets (A[k][j, i]):
        //   root: diag(1/2, 1/3, 1/2)
        //   d(j) ≥ d(i): A[1][0, 1] = A[1][2, 1] = 1/3
        //   d(j) < d(i): A[2][1, 0] = A[2][1, 2] = 1/2
        let third: Float = 1 / 3
        let adjacency: [[[Float]]] = [
            [[0.5, 0, 0], [0, third, 0], [0, 0, 0.5]],
            [[0, third, 0], [0, 0, 0], [0, third, 0]],
            [[0, 0, 0], [0.5, 0, 0.5], [0, 0, 0]],
        ]
        let chain = try SkeletonLayout(name: "chain", jointCount: 3, edges: [(0, 1), (1, 2)], center: 1)
        let model = STGCN(classes: 2, layout: chain, channels: 2, frames: 4, persons: 1, widthMultiplier: 1.0 / 32)
        #expect(try model.adjacency == Tensor(shape: [3, 3, 3], scalars: adjacency.flatMap { $0.flatMap { $0 } }))

        var graph = try model.graph(seed: 3)
        let importance = Tensor.randomUniform(shape: [3, 3, 3], in: 0.5...1.5, seed: 4)
        graph.parameters["edge_importance.0"] = importance
        graph.parameters["st_gcn_networks.0.gcn.conv.bias"] = Tensor.randomNormal(shape: [6], seed: 5)
        let x = Tensor.randomNormal(shape: [1, 2, 4, 3, 1], seed: 6)
        let trace = try graph.forward(x, options: ForwardOptions(observe: ["view_skeletons", "st_gcn_networks.0.gcn"]))
        let input = try trace.activation("view_skeletons")
        let output = try trace.activation("st_gcn_networks.0.gcn")
        #expect(output.shape == [1, 2, 4, 3])

        // ConvTemporalGraphical: z[k·C + c] = b[k·C + c] + Σ_ci W[k·C + c, ci]·x[ci], viewed as
        // (K, C), then y[c, t, w] = Σ_k Σ_v z[k, c, t, v]·A[k, v, w]·M[k, v, w].
        let weight = try #require(graph.parameters["st_gcn_networks.0.gcn.conv.weight"])
        let bias = try #require(graph.parameters["st_gcn_networks.0.gcn.conv.bias"])
        for c in 0..<2 {
            for t in 0..<4 {
                for w in 0..<3 {
                    var expected: Float = 0
                    for k in 0..<3 {
                        for v in 0..<3 {
                            let z = bias[k * 2 + c] + (0..<2).reduce(Float(0)) {
                                $0 + weight[k * 2 + c, $1, 0, 0] * input[0, $1, t, v]
                            }
                            expected += z * adjacency[k][v][w] * importance[k, v, w]
                        }
                    }
                    #expect(abs(output[0, c, t, w] - expected) < 1e-5 * max(1, abs(expected)))
                }
            }
        }
    }

    @Test func gradientAtTheLastBlockIsTheClassifierWeightSpreadOverPositionsAndPersons() throws {
        // logits[n] = fcn.weight · mean_m mean_{t,v} F[n·M + m, :, t, v] + fcn.bias, so
        // ∂logit[n, c]/∂F[n·M + m, k, t, v] = fcn.weight[c, k]/(M·T′·V) and 0 for other samples.
        let model = STGCN(classes: 4, frames: 8, widthMultiplier: 0.125)
        let graph = try model.graph(seed: 8)
        let x = Tensor.randomNormal(shape: [2, 3, 8, 25, 2], seed: 9)
        let trace = try graph.forward(x, options: ForwardOptions(observe: [model.defaultLayer]))
        let classes = [1, 3]
        let gradient = try #require(try trace.gradient(of: .logits(classes), at: [model.defaultLayer])[model.defaultLayer])
        #expect(gradient.shape == [4, 32, 2, 25])
        let fcn = try #require(graph.parameters["fcn.weight"])
        let positions = Float(2 * 2 * 25)
        for row in 0..<4 {
            let sample = row / 2
            for k in 0..<32 {
                let expected = fcn[classes[sample], k, 0, 0] / positions
                for t in 0..<2 {
                    for v in 0..<25 {
                        #expect(abs(gradient[row, k, t, v] - expected) < 1e-6 * abs(expected) + 1e-12)
                    }
                }
            }
        }
    }

    @Test func logitsOfTwoPersonsAreTheMeanOfEachPersonsLogits() throws {
        // The person mean comes before the affine fcn, so fcn(mean(a, b)) = (fcn(a) + fcn(b))/2;
        // two identical persons give exactly the single-person logits.
        let twoPersons = try STGCN(classes: 5, frames: 8, widthMultiplier: 0.125).graph(seed: 10)
        let onePerson = try STGCN(classes: 5, frames: 8, persons: 1, widthMultiplier: 0.125).graph(seed: 10)
        #expect(onePerson.parameters.keys.allSatisfy { onePerson.parameters[$0] == twoPersons.parameters[$0] })
        let p = Tensor.randomNormal(shape: [1, 3, 8, 25, 1], seed: 11)
        let q = Tensor.randomNormal(shape: [1, 3, 8, 25, 1], seed: 12)
        /// (1, 3, 8, 25, 2) with persons a and b.
        func pair(_ a: Tensor, _ b: Tensor) -> Tensor {
            Tensor(shape: [1, 3, 8, 25, 2], scalars: zip(a.scalars, b.scalars).flatMap { [$0, $1] })
        }
        let logitsP = try onePerson.forward(p).output
        let logitsQ = try onePerson.forward(q).output
        // Each logit within 1e-4 of the largest expected logit's magnitude.
        func withinLargest(_ expected: Tensor) -> Tolerance { .absolute(1e-4 * (expected.scalars.map(abs).max() ?? 0)) }
        expectClose(try twoPersons.forward(pair(p, p)).output, logitsP, withinLargest(logitsP))
        let mean = Tensor(shape: [1, 5], scalars: zip(logitsP.scalars, logitsQ.scalars).map { ($0 + $1) / 2 })
        expectClose(try twoPersons.forward(pair(p, q)).output, mean, withinLargest(mean))
    }

    @Test func openposeVariantBuildsAndRuns() throws {
        let model = STGCN(classes: 5, layout: .openpose, frames: 16, widthMultiplier: 0.125)
        #expect(model.inputShape == [1, 3, 16, 18, 2])
        let graph = try model.graph(seed: 13)
        #expect(graph.parameters["edge_importance.3"]?.shape == [3, 18, 18])
        #expect(graph.parameters["data_bn.weight"]?.shape == [54])
        let trace = try graph.forward(Tensor.randomNormal(shape: [2, 3, 16, 18, 2], seed: 14),
                                      options: ForwardOptions(observe: [model.defaultLayer]))
        #expect(trace.output.shape == [2, 5])
        #expect(try trace.activation(model.defaultLayer).shape == [4, 32, 4, 18])
        #expect(trace.output.scalars.allSatisfy { $0.isFinite })
    }

    @Test func withoutEdgeImportanceTheBlocksReadTheAdjacencyDirectly() throws {
        let graph = try STGCN(classes: 3, frames: 4, widthMultiplier: 0.0625, edgeImportanceWeighting: false).graph()
        #expect(!graph.parameters.keys.contains { $0.hasPrefix("edge_importance") })
        #expect(try graph.node(named: "st_gcn_networks.0.gcn.einsum").inputs == ["st_gcn_networks.0.gcn.view", "A"])
    }

    @Test func invalidSizesAreRejected() {
        expectError(.invalidRequest, mentioning: "got 0, 3, 300, 2, 1.0, 0.5") { try STGCN(classes: 0).graph() }
        expectError(.invalidRequest, mentioning: "got 60, 3, 0, 2, 1.0, 0.5") { try STGCN(frames: 0).graph() }
        expectError(.invalidRequest, mentioning: "got 60, 3, 300, 2, 1.0, 2.0") { try STGCN(dropout: 2).graph() }
    }
}
