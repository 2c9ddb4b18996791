import Testing
@testable import STCore

/// `Tensor.transformed(by:)` lets convolutions derive the reordered copy of f(w) from w's own
/// reordered copy. The results must equal, bit for bit (a reorder only moves values), a
/// convolution with f(w) computed independently, also after w or f(w) is written to; and the
/// storage view must keep blocked padding.
@Suite struct WeightTransformTests {
    static let geometry = ConvolutionGeometry(spatialRank: 3, padding: 1)
    static let x = Tensor.randomNormal(shape: [1, 5, 3, 6, 6], seed: 1)

    /// f(w) with f applied element by element here, so no derivation is recorded for it.
    static func independently(_ w: Tensor, _ f: (Float) -> Float) -> Tensor {
        Tensor(shape: w.shape, scalars: w.scalars.map(f))
    }

    static func convolve(_ weight: Tensor) throws -> Tensor {
        var context = ForwardContext()
        return try Convolution(geometry: geometry, bias: false).forward([x], parameters: [weight], context: &context).value
    }

    static func backwardData(_ weight: Tensor, gradient: Tensor) throws -> Tensor {
        try DNNL.convolutionBackwardData(gradient, weight: weight, inputShape: x.shape, geometry: geometry)
    }

    @Test func builtInTransformsComputeTheirFunctions() {
        let w = Tensor(shape: [4], scalars: [-2, -0.5, 0, 3])
        #expect(w.transformed(by: .positivePart).scalars == [0, 0, 0, 3])
        #expect(w.transformed(by: .negativePart).scalars == [-2, -0.5, 0, 0])
        #expect(w.transformed(by: .zero).scalars == [0, 0, 0, 0])
        #expect(w.transformed(by: WeightTransform(name: "w²") { $0 * $0 }).scalars == [4, 0.25, 0, 9])
    }

    /// The values are written on first read, but from the source as it was when transformed.
    @Test func valuesReadLateAreOfTheSourceAsItWasWhenTransformed() {
        var w = Tensor(shape: [4], scalars: [-2, -0.5, 0, 3])
        let positive = w.transformed(by: .positivePart)
        let squared = w.transformed(by: WeightTransform(name: "w²") { $0 * $0 })
        w.withUnsafeMutableBufferPointer { values in
            for index in values.indices { values[index] = 10 }
        }
        #expect(positive.scalars == [0, 0, 0, 3])
        #expect(squared.scalars == [4, 0.25, 0, 9])
        #expect(w.scalars == [10, 10, 10, 10])
    }

    @Test(arguments: [WeightTransform.positivePart, .negativePart, WeightTransform(name: "w²") { $0 * $0 }])
    func derivedWeightsConvolveLikeIndependentOnes(transform: WeightTransform) throws {
        let w = Tensor.randomNormal(shape: [7, 5, 3, 3, 3], std: 0.3, seed: 2)
        _ = try Self.convolve(w)
        let gradient = Tensor.randomNormal(shape: [1, 7, 3, 6, 6], seed: 3)
        _ = try Self.backwardData(w, gradient: gradient)
        let expected = Self.independently(w, transform.function)
        for _ in 0..<2 {
            let derived = w.transformed(by: transform)
            #expect(try Self.convolve(derived) == Self.convolve(expected))
            #expect(try Self.backwardData(derived, gradient: gradient) == Self.backwardData(expected, gradient: gradient))
        }
    }

    @Test func aWriteToTheSourceInvalidatesItsDerivedCopies() throws {
        var w = Tensor.randomNormal(shape: [7, 5, 3, 3, 3], std: 0.3, seed: 4)
        _ = try Self.convolve(w.transformed(by: .positivePart))
        w.withUnsafeMutableBufferPointer { values in
            for index in values.indices { values[index] = -values[index] }
        }
        let derived = w.transformed(by: .positivePart)
        #expect(try Self.convolve(derived) == Self.convolve(Self.independently(w) { max($0, 0) }))
    }

    @Test func aWriteToTheDerivedTensorIsWhatConvolves() throws {
        let w = Tensor.randomNormal(shape: [7, 5, 3, 3, 3], std: 0.3, seed: 5)
        var derived = w.transformed(by: .negativePart)
        _ = try Self.convolve(derived)
        derived.withUnsafeMutableBufferPointer { values in
            for index in values.indices { values[index] *= 2 }
        }
        let expected = Self.independently(w) { 2 * min($0, 0) }
        #expect(try Self.convolve(derived) == Self.convolve(expected))
    }

    @Test func storageViewsOfBlockedTensorsIncludeZeroPadding() {
        let x = Tensor.randomNormal(shape: [2, 5, 3, 4], seed: 6)
        let blocked = x.laidOut(as: .channelBlocked(16))
        #expect(blocked.storageCount == 2 * 16 * 3 * 4)
        let padded = blocked.withUnsafeStorage { values in
            (0..<2).flatMap { n in (0..<12).flatMap { position in (5..<16).map { values[(n * 12 + position) * 16 + $0] } } }
        }
        #expect(padded.allSatisfy { $0 == 0 })
        var doubled = blocked
        doubled.withUnsafeMutableStorage { values in
            for index in values.indices { values[index] *= 2 }
        }
        #expect(doubled.format == .channelBlocked(16))
        #expect(doubled.scalars == x.scalars.map { 2 * $0 })
        #expect(blocked.scalars == x.scalars)
    }
}
