import Testing
import STCore
import TestSupport
@testable import STModels

@Suite struct SkeletonLayoutTests {
    /// Whether every joint of the layout is reachable from joint 0 along its bones.
    private func isConnected(_ layout: SkeletonLayout) throws -> Bool {
        let partition = try SpatialPartition(layout: layout, maxHop: layout.jointCount)
        return (0..<layout.jointCount).allSatisfy { partition.hopDistance(0, $0) != nil }
    }

    @Test func ntuLayoutIsAConnectedTreeOfTwentyFiveKinectJointsCenteredOnTheSpine() throws {
        let layout = SkeletonLayout.ntuRGBD
        #expect(layout.jointCount == 25)
        // A skeleton is a tree: V − 1 bones, all joints connected.
        #expect(layout.edges.count == 24)
        #expect(try isConnected(layout))
        // st-gcn's center is the 21st joint (1-based), "spine".
        #expect(layout.center == 20)
        #expect(layout.jointNames[20] == "spine")
        #expect(layout.jointNames[0] == "base of spine")
        #expect(layout.jointNames[11] == "right hand")
        #expect(layout.jointNames[24] == "right thumb")
    }

    @Test func ntuBonesAreStGCNsOneBasedListShiftedToZeroBased() {
        // st-gcn: (1, 2), (2, 21), (3, 21), (4, 3), …, (22, 23), (23, 8), (24, 25), (25, 12).
        let edges = SkeletonLayout.ntuRGBD.edges
        #expect(edges.prefix(4).map { [$0.0, $0.1] } == [[0, 1], [1, 20], [2, 20], [3, 2]])
        #expect(edges.suffix(4).map { [$0.0, $0.1] } == [[21, 22], [22, 7], [23, 24], [24, 11]])
    }

    @Test func openposeAndCocoLayoutsAreConnectedTreesWithTheirCenters() throws {
        #expect(SkeletonLayout.openpose.jointCount == 18)
        #expect(SkeletonLayout.openpose.edges.count == 17)
        #expect(SkeletonLayout.openpose.jointNames[SkeletonLayout.openpose.center] == "neck")
        #expect(try isConnected(.openpose))
        #expect(SkeletonLayout.coco.jointCount == 17)
        #expect(SkeletonLayout.coco.edges.count == 16)
        #expect(SkeletonLayout.coco.jointNames[SkeletonLayout.coco.center] == "nose")
        #expect(try isConnected(.coco))
    }

    @Test func customLayoutFromAnEdgeListNamesItsJoints() throws {
        let chain = try SkeletonLayout(name: "chain", jointCount: 3, edges: [(0, 1), (1, 2)], center: 1)
        #expect(chain.jointNames == ["joint 0", "joint 1", "joint 2"])
        #expect(chain.center == 1)
    }

    @Test func customLayoutRejectsBonesOutsideTheSkeletonSelfLoopsAndABadCenter() {
        expectError(.invalidRequest, mentioning: "bone (0, 3) names a joint outside 0..<3") {
            try SkeletonLayout(name: "x", jointCount: 3, edges: [(0, 3)], center: 0)
        }
        expectError(.invalidRequest, mentioning: "bone (1, 1) joins a joint to itself") {
            try SkeletonLayout(name: "x", jointCount: 3, edges: [(1, 1)], center: 0)
        }
        expectError(.invalidRequest, mentioning: "center 5 is not a joint") {
            try SkeletonLayout(name: "x", jointCount: 3, edges: [(0, 1)], center: 5)
        }
        expectError(.invalidRequest, mentioning: "has no joints") {
            try SkeletonLayout(name: "x", jointCount: 0, edges: [], center: 0)
        }
    }
}

@Suite struct SpatialPartitionTests {
    static let ntu = Result { try SpatialPartition(layout: .ntuRGBD).adjacency }

    /// A[k, j, i] of a K × V × V tensor.
    private func entry(_ a: Tensor, _ k: Int, _ j: Int, _ i: Int) -> Float { a[k, j, i] }

    private func nonzeroCount(_ a: Tensor, subset k: Int) -> Int {
        let v = a.shape[1]
        return a.scalars[(k * v * v)..<((k + 1) * v * v)].filter { $0 != 0 }.count
    }

    @Test func ntuSpatialAdjacencyHasThreeSubsetsOfTwentyFiveByTwentyFive() throws {
        #expect(try Self.ntu.get().shape == [3, 25, 25])
    }

    @Test func everyColumnOfTheSummedSubsetsSumsToOne() throws {
        // Â = B·D⁻¹ divides column i by its degree (bones + self-link), and the subsets split Â
        // without overlap, so Σ_k Σ_j A[k, j, i] = 1 for every joint i.
        let a = try Self.ntu.get()
        for i in 0..<25 {
            let sum = (0..<3).reduce(Float(0)) { total, k in total + (0..<25).reduce(0) { $0 + entry(a, k, $1, i) } }
            #expect(abs(sum - 1) < 1e-6, "column \(i)")
        }
    }

    @Test func rootSubsetIsTheDiagonalOfTheNormalisedAdjacency() throws {
        // A[0][i, i] = 1/(degree(i) + 1): spine (20) has 4 bones → 1/5; base of spine (0) has 3
        // → 1/4; head (3) has 1 → 1/2; left hand (7) has 2 → 1/3. Off-diagonal entries are 0.
        let a = try Self.ntu.get()
        #expect(nonzeroCount(a, subset: 0) == 25)
        #expect((0..<25).allSatisfy { entry(a, 0, $0, $0) > 0 })
        #expect(entry(a, 0, 20, 20) == Float(1.0 / 5))
        #expect(entry(a, 0, 0, 0) == Float(1.0 / 4))
        #expect(entry(a, 0, 3, 3) == Float(1.0 / 2))
        #expect(entry(a, 0, 7, 7) == Float(1.0 / 3))
    }

    @Test func handDerivedEntriesMatchStGCNsSpatialRule() throws {
        // With max_hop = 1, d(·, spine) is 0 for the spine, 1 for its neighbours 1, 2, 4, 8 and ∞
        // for every other joint. Subset 1 takes neighbours j of i with d(j) ≥ d(i), subset 2 those
        // with d(j) < d(i); the value is Â[j, i] = 1/(degree(i) + 1).
        let a = try Self.ntu.get()
        // Column 20 (spine, degree 4): its neighbours are farther from the center → subset 1, 1/5.
        for j in [1, 2, 4, 8] {
            #expect(entry(a, 1, j, 20) == Float(1.0 / 5))
            #expect(entry(a, 2, j, 20) == 0)
        }
        // Column 1 (middle of spine, bones to 0 and 20): the spine is closer → subset 2; the base
        // of spine is at ∞ > 1 → subset 1; both 1/3.
        #expect(entry(a, 2, 20, 1) == Float(1.0 / 3))
        #expect(entry(a, 1, 0, 1) == Float(1.0 / 3))
        // Column 0 (base of spine, bones to 1, 12, 16): joint 1 (d = 1 < ∞) → subset 2; the hips
        // tie at ∞ = ∞ → subset 1; all 1/4.
        #expect(entry(a, 2, 1, 0) == Float(1.0 / 4))
        #expect(entry(a, 1, 12, 0) == Float(1.0 / 4))
        #expect(entry(a, 1, 16, 0) == Float(1.0 / 4))
        // Column 3 (head, one bone to the neck): the neck is closer → subset 2, 1/2.
        #expect(entry(a, 2, 2, 3) == Float(1.0 / 2))
        // Column 7 (left hand, bones to 6 and 22): everything ties at ∞ → subset 1, 1/3.
        #expect(entry(a, 1, 6, 7) == Float(1.0 / 3))
        #expect(entry(a, 1, 22, 7) == Float(1.0 / 3))
    }

    @Test func closerSubsetHoldsOnlyTheEightPairsAcrossTheCentersNeighbourhood() throws {
        // d(j) < d(i) for a bone (j, i) only when j is the spine and i one of 1, 2, 4, 8, or j is
        // one of those and i its neighbour at ∞ (0, 3, 5, 9): 8 entries. The other 48 − 8 = 40
        // directed bone entries fall in subset 1.
        let a = try Self.ntu.get()
        #expect(nonzeroCount(a, subset: 2) == 8)
        #expect(nonzeroCount(a, subset: 1) == 40)
        for (j, i) in [(20, 1), (20, 2), (20, 4), (20, 8), (1, 0), (2, 3), (4, 5), (8, 9)] {
            #expect(entry(a, 2, j, i) > 0, "(\(j), \(i))")
        }
    }

    @Test func uniformAndDistanceStrategiesRegroupTheSameNormalisedAdjacency() throws {
        let spatial = try Self.ntu.get()
        let uniform = try SpatialPartition(layout: .ntuRGBD, strategy: .uniform).adjacency
        let distance = try SpatialPartition(layout: .ntuRGBD, strategy: .distance).adjacency
        #expect(uniform.shape == [1, 25, 25])
        #expect(distance.shape == [2, 25, 25])
        // uniform = Σ_k spatial[k]; distance = [diagonal, off-diagonal] = [spatial[0], spatial[1] + spatial[2]].
        for j in 0..<25 {
            for i in 0..<25 {
                #expect(uniform[0, j, i] == spatial[0, j, i] + spatial[1, j, i] + spatial[2, j, i])
                #expect(distance[0, j, i] == spatial[0, j, i])
                #expect(distance[1, j, i] == spatial[1, j, i] + spatial[2, j, i])
            }
        }
    }

    @Test func hopDistancesStopAtMaxHop() throws {
        // Base of spine → middle of spine → spine: two bones.
        #expect(try SpatialPartition(layout: .ntuRGBD, maxHop: 1).hopDistance(0, 20) == nil)
        #expect(try SpatialPartition(layout: .ntuRGBD, maxHop: 2).hopDistance(0, 20) == 2)
        #expect(try SpatialPartition(layout: .ntuRGBD, maxHop: 2).subsetCount == 5)
        expectError(.invalidRequest, mentioning: "dilation ≥ 1, got 1 and 0") {
            try SpatialPartition(layout: .ntuRGBD, dilation: 0)
        }
    }

    @Test func openposeSpatialAdjacencyFollowsTheSameRule() throws {
        // Center: neck (1), bones to nose 0, right shoulder 2, left shoulder 5 → column 1 is 1/4.
        // Nose (0) has bones to 1, 14, 15: the neck is closer → subset 2; the eyes tie at ∞.
        let a = try SpatialPartition(layout: .openpose).adjacency
        #expect(a.shape == [3, 18, 18])
        #expect(entry(a, 0, 1, 1) == Float(1.0 / 4))
        #expect(entry(a, 1, 0, 1) == Float(1.0 / 4))
        #expect(entry(a, 2, 1, 0) == Float(1.0 / 4))
        #expect(entry(a, 1, 14, 0) == Float(1.0 / 4))
        // Subset 2 (d(j) < d(i)): the neck to 0, 2, 5 (3 entries) and 0, 2, 5 to their neighbours
        // at ∞ — 14, 15; 3, 8; 6, 11 (6 entries). Subset 1: the other 2·17 − 9 = 25 bone entries.
        #expect([0, 1, 2].map { nonzeroCount(a, subset: $0) } == [18, 25, 9])
    }
}
