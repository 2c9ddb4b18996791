import Testing
import TestSupport
@testable import STCore

/// The element-wise arithmetic of tensors of one shape (oneDNN binary and eltwise primitives with
/// post-ops) against the naive references, in the layout of the first operand — the kernels'
/// blocked one for activations — whose padded channels must stay zero.
@Suite struct TensorArithmeticTests {
    static let shape = [2, 5, 3, 4]
    static let a = Tensor.randomNormal(shape: shape, seed: 1)
    static let b = Tensor.randomNormal(shape: shape, seed: 2)
    static let c = Tensor.randomNormal(shape: shape, seed: 3)
    static let blocked = MemoryFormat.channelBlocked(16)
    static let layoutPairs = [(blocked, blocked), (blocked, MemoryFormat.plain), (.plain, blocked), (.plain, .plain)]

    /// The padded channels 5..<16 of a blocked tensor of `shape`.
    static func paddedSlots(_ x: Tensor) -> [Float] {
        x.withUnsafeStorage { values in
            (0..<(2 * 12)).flatMap { row in (5..<16).map { values[row * 16 + $0] } }
        }
    }

    static func expectLaidOut(_ result: Tensor, as format: MemoryFormat, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(result.format == format, sourceLocation: sourceLocation)
        if format == blocked { #expect(paddedSlots(result).allSatisfy { $0 == 0 }, sourceLocation: sourceLocation) }
    }

    @Test(arguments: layoutPairs.indices)
    func arithmeticMatchesTheReferenceInTheFirstOperandsLayout(pair: Int) {
        let (first, second) = Self.layoutPairs[pair]
        let (x, y) = (Self.a.laidOut(as: first), Self.b.laidOut(as: second))
        let results = [
            (x.adding(y), Reference.add(Self.a, Self.b, scale: 1)),
            (x.adding(y, scale: -2), Reference.add(Self.a, Self.b, scale: -2)),
            (x.multiplied(by: y), Reference.mul(Self.a, Self.b, scale: 1)),
            (x.multiplied(by: y, scale: 3), Reference.mul(Self.a, Self.b, scale: 3)),
            (x.divided(byStabilised: y, epsilon: 1e-6), Reference.stabilisedQuotient(Self.a, Self.b, epsilon: 1e-6)),
            (x.divided(byStabilised: y, epsilon: 0.5), Reference.stabilisedQuotient(Self.a, Self.b, epsilon: 0.5)),
        ]
        for (result, expected) in results {
            Self.expectLaidOut(result, as: first)
            expectClose(result.plain(), expected, .normwise(1e-6))
        }
        #expect(x.scalars == Self.a.scalars && y.scalars == Self.b.scalars)
    }

    @Test(arguments: [MemoryFormat.channelBlocked(16), .plain])
    func scalingKeepsTheLayout(format: MemoryFormat) {
        let scaled = Self.a.laidOut(as: format).scaled(by: -1)
        Self.expectLaidOut(scaled, as: format)
        #expect(scaled.scalars == Self.a.scalars.map { -$0 })
    }

    @Test func stabilisedDivisionOfHandComputedValues() {
        // ε = 0.5: z + ε·sign z = [0 + 0.5, −0 + 0.5, −0.5 − 0.5, 2 + 0.5, 0.25 + 0.5] (sign 0 = sign −0 = +1),
        // so r / that = [1/0.5, 2/0.5, 3/(−1), −4/2.5, 6/0.75] = [2, 4, −3, −1.6, 8].
        let r = Tensor(shape: [5], scalars: [1, 2, 3, -4, 6])
        let z = Tensor(shape: [5], scalars: [0, -0.0, -0.5, 2, 0.25])
        expectClose(r.divided(byStabilised: z, epsilon: 0.5), Tensor(shape: [5], scalars: [2, 4, -3, -1.6, 8]), .normwise(1e-7))
    }

    /// a − b is formed before ε is added: for a = b = 1000 the denominator is 0 + ε, where adding ε
    /// to a first (1000 + 10⁻⁶ rounds to 1000) would leave 0 and an infinite ratio.
    @Test func divisionByADifferenceStabilisesTheDifference() {
        let thousands = Tensor(repeating: 1000, shape: [3])
        let ratio = Tensor(repeating: 1, shape: [3]).divided(byStabilisedDifferenceOf: thousands, and: thousands, epsilon: 1e-6)
        expectClose(ratio, Tensor(repeating: 1e6, shape: [3]), .normwise(1e-6))
    }

    @Test(arguments: layoutPairs.indices)
    func divisionByADifferenceMatchesTheReference(pair: Int) {
        let (first, second) = Self.layoutPairs[pair]
        let ratio = Self.a.laidOut(as: first).divided(byStabilisedDifferenceOf: Self.b.laidOut(as: second), and: Self.c,
                                                      epsilon: 1e-6)
        Self.expectLaidOut(ratio, as: first)
        let difference = Reference.add(Self.b, Self.c, scale: -1)
        expectClose(ratio.plain(), Reference.stabilisedQuotient(Self.a, difference, epsilon: 1e-6), .normwise(1e-6))
        // The quotient overwrites the difference it formed, never an operand.
        #expect([Self.a, Self.b, Self.c].map(\.scalars) == [1, 2, 3].map { Tensor.randomNormal(shape: Self.shape, seed: $0).scalars })
    }

    @Test(arguments: layoutPairs.indices)
    func addProductAccumulatesInPlaceWithoutChangingOtherCopies(pair: Int) {
        let (first, second) = Self.layoutPairs[pair]
        let (x, y) = (Self.a.laidOut(as: first), Self.b.laidOut(as: second))
        var sum = x
        sum.addProduct(x, y, scale: 0.5)
        Self.expectLaidOut(sum, as: first)
        expectClose(sum.plain(), Reference.sumOfProducts([(1, Self.a, Tensor(repeating: 1, shape: Self.shape)),
                                                                           (0.5, Self.a, Self.b)]), .normwise(1e-6))
        #expect(x.scalars == Self.a.scalars)
    }

    /// One, two (with different second factors, and with one shared as LRP's αβ after a ReLU
    /// shares x) and three products, in the first product's first factor's layout.
    @Test(arguments: [MemoryFormat.channelBlocked(16), .plain])
    func sumOfProductsMatchesTheReference(format: MemoryFormat) {
        let terms: [(scale: Float, a: Tensor, b: Tensor)] = [(2, Self.a, Self.b), (-1, Self.c, Self.a), (0.5, Self.b, Self.c)]
        let shared = Self.c.laidOut(as: Self.blocked)
        let cases: [[(scale: Float, a: Tensor, b: Tensor)]] = [
            Array(terms.prefix(1)), Array(terms.prefix(2)), terms, [(2, Self.a, shared), (-1, Self.b, shared)],
        ]
        for products in cases {
            let sum = Tensor.sum(of: products.map { ScaledProduct(scale: $0.scale, $0.a.laidOut(as: format), $0.b) })
            guard let sum else {
                Issue.record("no sum of \(products.count) products")
                continue
            }
            Self.expectLaidOut(sum, as: format)
            expectClose(sum.plain(), Reference.sumOfProducts(products), .normwise(1e-6))
        }
        #expect(Tensor.sum(of: []) == nil)
    }

    @Test func signPartsKeepTheLayoutAndIgnoreThePadding() {
        let (positive, negative) = Reference.signParts(Self.a)
        let nonNegative = positive.laidOut(as: Self.blocked)
        let parts = nonNegative.signParts
        #expect(parts.negative == nil)
        #expect(parts.positive.map { $0.sharesStorage(with: nonNegative) } == true)
        let nonPositive = negative.laidOut(as: Self.blocked).signParts
        #expect(nonPositive.positive == nil && nonPositive.negative?.scalars == negative.scalars)
        let mixed = Self.a.laidOut(as: Self.blocked).signParts
        #expect(mixed.positive?.scalars == positive.scalars)
        #expect(mixed.negative?.scalars == negative.scalars)
        for part in [mixed.positive, mixed.negative].compactMap({ $0 }) { Self.expectLaidOut(part, as: Self.blocked) }
        let zeros = Tensor(zeros: Self.shape).signParts
        #expect(zeros.positive == nil && zeros.negative == nil)
    }
}
