import Testing
import STCore
import TestSupport
@testable import STMetrics

@Suite struct DeletionInsertionTests {
    // One sample (N 1, C 1, W 4) = [4, 3, 2, 1], positions along W ordered 2, 0, 3, 1; two steps of
    // ⌊k·4/2 + ½⌋ = 0, 2, 4 positions.
    let input = Tensor(shape: [1, 1, 4], scalars: [4, 3, 2, 1])
    let order = [[2, 0, 3, 1]]

    /// The sum of each sample's elements, a stand-in for a model's score.
    static func sums(_ batch: Tensor) -> [Double] {
        let size = batch.count / batch.shape[0]
        let values = batch.scalars
        return (0..<batch.shape[0]).map { n in values[(n * size)..<((n + 1) * size)].reduce(0) { $0 + Double($1) } }
    }

    @Test func deletionRemovesTheFirstPositionsStepByStep() throws {
        let deletion = try DeletionInsertion(.deletion, input: input, order: order, axes: [2], steps: 2, baseline: .constant(0))
        #expect(try deletion.input(atStep: 0).scalars == [4, 3, 2, 1])
        #expect(try deletion.input(atStep: 1).scalars == [0, 3, 0, 1])
        #expect(try deletion.input(atStep: 2).scalars == [0, 0, 0, 0])
        // Sums 10, 4, 0: AUC = ((10 + 4)/2 + (4 + 0)/2) · ½ = 4.5.
        let curves = try deletion.curves(Self.sums)
        #expect(curves == [[10, 4, 0]])
        #expect(try DeletionInsertion.areaUnderCurve(curves[0]) == 4.5)
    }

    @Test func insertionPutsTheFirstPositionsBackIntoTheBaseline() throws {
        let insertion = try DeletionInsertion(.insertion, input: input, order: order, axes: [2], steps: 2,
                                              baseline: .constant(0))
        #expect(try insertion.input(atStep: 0).scalars == [0, 0, 0, 0])
        #expect(try insertion.input(atStep: 1).scalars == [4, 0, 2, 0])
        #expect(try insertion.input(atStep: 2).scalars == [4, 3, 2, 1])
        // Sums 0, 6, 10: AUC = ((0 + 6)/2 + (6 + 10)/2) · ½ = 5.5.
        let curves = try insertion.curves(Self.sums)
        #expect(curves == [[0, 6, 10]])
        #expect(try DeletionInsertion.areaUnderCurve(curves[0]) == 5.5)
    }

    @Test func changedCountsRoundHalvesUp() throws {
        // P = 4, K = 3: k·4/3 = 0, 1.33, 2.67, 4 → 0, 1, 3, 4.
        let curve = try DeletionInsertion(.deletion, input: input, order: order, axes: [2], steps: 3, baseline: .constant(0))
        #expect((0...3).map(curve.changedCount(atStep:)) == [0, 1, 3, 4])
    }

    @Test func mapsGiveTheOrderHighestFirst() throws {
        // Scores [0.1, 0.7, 0.7, 0.3] order the positions 1, 2, 3, 0; one of four steps deletes position 1.
        let maps = Tensor(shape: [1, 4], scalars: [0.1, 0.7, 0.7, 0.3])
        let deletion = try DeletionInsertion(.deletion, input: input, maps: maps, axes: [2], steps: 4,
                                             baseline: .tensor(Tensor(shape: [1, 1, 4], scalars: [-1, -2, -3, -4])))
        #expect(deletion.order == [[1, 2, 3, 0]])
        #expect(try deletion.input(atStep: 1).scalars == [4, -2, 2, 1])
    }

    @Test func areaUnderCurveIsTheTrapezoidRuleOnTheUnitInterval() throws {
        // K = 3: ((1 + 0.5)/2 + (0.5 + 0.25)/2 + (0.25 + 0)/2) / 3 = (0.75 + 0.375 + 0.125)/3 = 0.416667.
        #expect(abs(try DeletionInsertion.areaUnderCurve([1, 0.5, 0.25, 0]) - 1.25 / 3) < 1e-12)
        #expect(try DeletionInsertion.areaUnderCurve([0.3, 0.3]) == 0.3)
        expectError(.invalidRequest, mentioning: "at least two points; got 1") {
            try DeletionInsertion.areaUnderCurve([1])
        }
    }

    @Test func incompleteOrdersBadStepsAndWrongScoreCountsAreErrors() throws {
        expectError(.invalidRequest, mentioning: "an order of all 4 positions") {
            try DeletionInsertion(.deletion, input: input, order: [[2, 0, 1]], axes: [2], steps: 2, baseline: .constant(0))
        }
        expectError(.invalidRequest, mentioning: "an order of all 4 positions") {
            try DeletionInsertion(.deletion, input: input, order: [[2, 0, 0, 1]], axes: [2], steps: 2, baseline: .constant(0))
        }
        expectError(.invalidRequest, mentioning: "at least one step; got 0") {
            try DeletionInsertion(.deletion, input: input, order: order, axes: [2], steps: 0, baseline: .constant(0))
        }
        let deletion = try DeletionInsertion(.deletion, input: input, order: order, axes: [2], steps: 2, baseline: .constant(0))
        expectError(.invalidRequest, mentioning: "step 3 is outside 0...2") { try deletion.input(atStep: 3) }
        expectError(.invalidRequest, mentioning: "returned 2 values for 1 samples") {
            try deletion.curves { _ in [1, 2] }
        }
    }
}
