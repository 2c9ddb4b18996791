import Testing
import STCore
@testable import STExplain

/// The relevance arithmetic works in the layout of its first operand (the kernels' blocked one),
/// converting the second only when it differs; values must equal the plain computation and the
/// padded channels of a blocked result must stay zero.
@Suite struct ElementwiseLayoutTests {
    static let shape = [2, 5, 3, 4]
    static let a = Tensor.randomNormal(shape: shape, seed: 1)
    static let b = Tensor.randomNormal(shape: shape, seed: 2)
    static let blocked = MemoryFormat.channelBlocked(16)

    static func paddedSlots(_ x: Tensor) -> [Float] {
        x.withUnsafeStorage { values in
            (0..<(2 * 12)).flatMap { row in (5..<16).map { values[row * 16 + $0] } }
        }
    }

    static func plainly(_ f: (Float, Float) -> Float) -> [Float] {
        zip(a.scalars, b.scalars).map(f)
    }

    @Test(arguments: [(MemoryFormat.channelBlocked(16), MemoryFormat.channelBlocked(16)),
                      (.channelBlocked(16), .plain), (.plain, .channelBlocked(16))])
    func arithmeticKeepsTheFirstOperandsLayout(first: MemoryFormat, second: MemoryFormat) {
        let (x, y) = (Self.a.laidOut(as: first), Self.b.laidOut(as: second))
        let results = [
            (Elementwise.add(x, y, scale: -2), Self.plainly { $0 - 2 * $1 }),
            (Elementwise.multiply(x, y, scale: 3), Self.plainly { 3 * $0 * $1 }),
            (Elementwise.divide(x, by: y, epsilon: 1e-6), Self.plainly { $0 / ($1 + ($1 >= 0 ? 1e-6 : -1e-6)) }),
        ]
        for (result, expected) in results {
            #expect(result.format == first)
            #expect(result.scalars == expected)
            if first == Self.blocked { #expect(Self.paddedSlots(result).allSatisfy { $0 == 0 }) }
        }
        var sum = x
        Elementwise.accumulateProduct(into: &sum, x, y, scale: 0.5)
        #expect(sum.format == first)
        #expect(sum.scalars == Self.plainly { $0 + 0.5 * $0 * $1 })
        #expect(x.scalars == Self.a.scalars)
    }

    /// The fused steps of a rule: R / (out − z) without materialising out − z, and Σ scale·g ⊙ x
    /// over one, two (one pass) or three products, in the first gradient's layout.
    @Test(arguments: [MemoryFormat.channelBlocked(16), .plain])
    func fusedRuleStepsEqualTheirPlainFormulas(format: MemoryFormat) {
        let c = Tensor.randomNormal(shape: Self.shape, seed: 3)
        let ratio = Elementwise.divide(Self.a.laidOut(as: format), byDifferenceOf: Self.b, and: c, epsilon: 1e-6)
        let difference = zip(Self.b.scalars, c.scalars).map { $0 - $1 }
        #expect(ratio.format == format)
        #expect(ratio.scalars == zip(Self.a.scalars, difference).map { $0 / ($1 + ($1 >= 0 ? 1e-6 : -1e-6)) })
        let products = [(2, Self.a, Self.b), (-1, c, Self.a), (0.5, Self.b, c)].map { scale, g, x in
            Elementwise.Product(scale: Float(scale), gradient: g.laidOut(as: format), input: x)
        }
        for count in 1...3 {
            let sum = Elementwise.sum(of: Array(products.prefix(count)))
            let expected = (0..<Self.a.count).map { i in
                products.prefix(count).reduce(Float(0)) { $0 + $1.scale * $1.gradient.scalars[i] * $1.input.scalars[i] }
            }
            #expect(sum?.format == format)
            let error = zip(sum?.scalars ?? [], expected).map { abs($0 - $1) }.max() ?? .infinity
            #expect(error <= 1e-6)
            if format == Self.blocked, let sum { #expect(Self.paddedSlots(sum).allSatisfy { $0 == 0 }) }
        }
        #expect(Elementwise.sum(of: []) == nil)
    }

    @Test func mapKeepsTheLayoutOnlyWhenZeroMapsToZero() {
        let x = Self.a.laidOut(as: Self.blocked)
        let positive = Elementwise.map(x) { max($0, 0) }
        #expect(positive.format == Self.blocked)
        #expect(positive.scalars == Self.a.scalars.map { max($0, 0) })
        let ones = Elementwise.map(x) { _ in 1 }
        #expect(ones.format == .plain)
        #expect(ones.scalars.allSatisfy { $0 == 1 })
    }

    @Test func signPartsOfABlockedTensorIgnoreItsPadding() {
        let nonNegative = Elementwise.map(Self.a) { max($0, 0) }.laidOut(as: Self.blocked)
        let parts = Elementwise.signParts(nonNegative)
        #expect(parts.negative == nil)
        #expect(parts.positive?.scalars == nonNegative.scalars)
        let mixed = Elementwise.signParts(Self.a.laidOut(as: Self.blocked))
        #expect(mixed.positive?.scalars == Self.a.scalars.map { max($0, 0) })
        #expect(mixed.negative?.scalars == Self.a.scalars.map { min($0, 0) })
    }
}
