import Testing
import STCore
@testable import STMetrics

/// A random map knows nothing about the object, so each localisation metric should land at the
/// mask's share of the positions: 400 maps of 10 × 10 uniform noise (seed 3) against a mask of the
/// first two rows (share 0.2). The binomial standard error of a hit rate over 400 samples is
/// √(0.2·0.8/400) = 0.02; mass and rank average 20 positions per map, so they vary less.
@Suite struct ChanceLevelTests {
    let maps = Tensor.randomUniform(shape: [400, 10, 10], in: 0...1, seed: 3)
    let masks = Tensor(shape: [400, 10, 10], scalars: (0..<40_000).map { $0 % 100 < 20 ? 1 : 0 })

    @Test func randomMapsScoreNearTheMaskShare() throws {
        let pointing = try PointingGame.accuracy(maps: maps, masks: masks)
        let mass = try Localisation.mean(try Localisation.relevanceMassAccuracy(maps: maps, masks: masks))
        let rank = try Localisation.mean(try Localisation.relevanceRankAccuracy(maps: maps, masks: masks))
        let topK = try Localisation.mean(try Localisation.topKIntersection(maps: maps, masks: masks, k: 10))
        #expect(abs(pointing - 0.2) < 0.06)
        #expect(abs(mass - 0.2) < 0.02)
        #expect(abs(rank - 0.2) < 0.03)
        #expect(abs(topK - 0.2) < 0.04)
    }

    @Test func theMaskItselfScoresTheMaximumWhereRandomMapsDoNot() throws {
        #expect(try PointingGame.accuracy(maps: masks, masks: masks) == 1)
        #expect(try Localisation.mean(try Localisation.otsuIntersectionOverUnion(maps: masks, masks: masks)) == 1)
        #expect(try Localisation.mean(try Localisation.otsuIntersectionOverUnion(maps: maps, masks: masks)) < 0.4)
    }
}
