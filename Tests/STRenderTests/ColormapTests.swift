import Testing
@testable import STRender

@Suite struct ColormapTests {
    // matplotlib samples jet at table index i = min(⌊256·v⌋, 255), position t = i/255, from
    // _jet_data: red (0,0) (0.35,0) (0.66,1) (0.89,1) (1,0.5); green (0,0) (0.125,0) (0.375,1)
    // (0.64,1) (0.91,0) (1,0); blue (0,0.5) (0.11,1) (0.34,1) (0.65,0) (1,0).

    @Test func jetAtZeroIsDarkBlue() {
        // t = 0: red 0, green 0, blue 0.5·255 = 127.5 → 128.
        #expect(Colormap.jet.colour(at: 0) == RGBColour(0, 0, 128))
    }

    @Test func jetAtOneHalfMatchesTheSampledTable() {
        // i = 128, t = 128/255. Red on (0.35,0)–(0.66,1): 255·(t − 0.35)/0.31 = (128 − 89.25)/0.31
        // = 125.0. Green is 1 on [0.375, 0.64] → 255. Blue on (0.34,1)–(0.65,0):
        // 255 − (128 − 86.7)/0.31 = 255 − 133.23 = 121.77 → 122.
        #expect(Colormap.jet.colour(at: 0.5) == RGBColour(125, 255, 122))
    }

    @Test func jetAtThreeQuartersAndOne() {
        // v = 0.75: i = 192, t = 192/255 ≈ 0.7529. Red is 1 on [0.66, 0.89] → 255. Green on
        // (0.64,1)–(0.91,0): 255 − (192 − 163.2)/0.27 = 255 − 106.67 = 148.33 → 148. Blue 0 after 0.65.
        #expect(Colormap.jet.colour(at: 0.75) == RGBColour(255, 148, 0))
        // v = 1: i = min(256, 255) = 255, t = 1: red 0.5 → 127.5 → 128, green 0, blue 0.
        #expect(Colormap.jet.colour(at: 1) == RGBColour(128, 0, 0))
    }

    @Test func viridisEndsAndMiddleMatchMatplotlib() {
        // _viridis_data[0] = (0.267004, 0.004874, 0.329415) · 255 = (68.09, 1.24, 84.00);
        // [128] = (0.127568, 0.566949, 0.550556) · 255 = (32.53, 144.57, 140.39);
        // [255] = (0.993248, 0.906157, 0.143936) · 255 = (253.28, 231.07, 36.70).
        #expect(Colormap.viridis.colour(at: 0) == RGBColour(68, 1, 84))
        #expect(Colormap.viridis.colour(at: 0.5) == RGBColour(33, 145, 140))
        #expect(Colormap.viridis.colour(at: 1) == RGBColour(253, 231, 37))
    }

    @Test func grayUsesTheSameSampling() {
        // Index ⌊256·v⌋ is the grey level: 0.25 → 64, 0.5 → 128, 0.999 → 255.74 → 255.
        #expect(Colormap.gray.colour(at: 0.25) == RGBColour(64, 64, 64))
        #expect(Colormap.gray.colour(at: 0.5) == RGBColour(128, 128, 128))
        #expect(Colormap.gray.colour(at: 0.999) == RGBColour(255, 255, 255))
    }

    @Test func redWhiteBlueRunsFromBlueThroughWhiteToRed() {
        let map = Colormap.redWhiteBlue
        #expect(map.colour(at: -1) == RGBColour(0, 0, 255))
        #expect(map.colour(at: 0) == RGBColour(255, 255, 255))
        #expect(map.colour(at: 1) == RGBColour(255, 0, 0))
        // ±0.5: the faded components are 255·(1 − 0.5) = 127.5 → 128.
        #expect(map.colour(at: 0.5) == RGBColour(255, 128, 128))
        #expect(map.colour(at: -0.5) == RGBColour(128, 128, 255))
    }

    @Test func valuesOutsideTheDomainAreClampedAndNaNReadsAsZero() {
        #expect(Colormap.redWhiteBlue.colour(at: 3) == RGBColour(255, 0, 0))
        #expect(Colormap.redWhiteBlue.colour(at: .nan) == RGBColour(255, 255, 255))
        #expect(Colormap.jet.colour(at: -2) == Colormap.jet.colour(at: 0))
        #expect(Colormap.jet.colour(at: .nan) == Colormap.jet.colour(at: 0))
        #expect(Colormap.gray.colour(at: .infinity) == RGBColour(255, 255, 255))
    }

    @Test func rawValuesAreTheCommandLineNames() {
        #expect(Colormap.allCases.map(\.rawValue) == ["jet", "viridis", "red-white-blue", "gray"])
        #expect(Colormap.redWhiteBlue.isSigned && !Colormap.jet.isSigned)
        #expect(Colormap.redWhiteBlue.domain == -1...1 && Colormap.viridis.domain == 0...1)
    }

    @Test func minMaxNormalisation() {
        // (v − 2)/(6 − 2).
        #expect(Colormap.normalisedMinMax([2, 4, 6]) == [0, 0.5, 1])
        // Constant input: zeros rather than 0/0.
        #expect(Colormap.normalisedMinMax([3, 3, 3]) == [0, 0, 0])
        // NaN is ignored for the range and becomes 0: (v − 1)/(3 − 1).
        #expect(Colormap.normalisedMinMax([1, .nan, 3]) == [0, 0, 1])
        #expect(Colormap.normalisedMinMax([]) == [])
    }

    @Test func symmetricNormalisationKeepsTheSign() {
        // max |v| = 4: (−2, 1, 4)/4.
        #expect(Colormap.normalisedSymmetric([-2, 1, 4]) == [-0.5, 0.25, 1])
        #expect(Colormap.normalisedSymmetric([0, 0]) == [0, 0])
        #expect(Colormap.normalisedSymmetric([-8, .infinity]) == [-1, 0])
    }
}
