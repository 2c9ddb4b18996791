import Testing
import STCore
import TestSupport
@testable import STRender

@Suite struct SkeletonFigureTests {
    /// A four-joint "T": hip (0, 0), neck (0, 2), hands at (∓0.5, 1.5) — 1 wide, 2 tall.
    let names = ["hip", "neck", "left hand", "right hand"]
    let bones = [(0, 1), (1, 2), (1, 3)]
    let positions: [SIMD2<Float>] = [[0, 0], [0, 2], [-0.5, 1.5], [0.5, 1.5]]
    let importance: [Float] = [0, 0.25, 1, 0.5]

    func discs(in svg: String) throws -> [SVGReading.Element] {
        let elements = try #require(SVGReading.elements(of: svg))
        return elements.named("circle", inGroup: "joints")
    }

    func number(_ element: SVGReading.Element, _ attribute: String) -> Double? {
        element.attributes[attribute].flatMap(Double.init)
    }

    @Test func svgIsWellFormedWithOneDiscPerJointAndOneLinePerBone() throws {
        let svg = try SkeletonFigure(jointNames: names, bones: bones, caption: "Fig. 1")
            .svg(.init(positions: positions, importance: importance, caption: "t = 0"))
        let elements = try #require(SVGReading.elements(of: svg))
        #expect(elements.first?.name == "svg")
        #expect(elements.named("circle", inGroup: "joints").count == 4)
        #expect(elements.named("line", inGroup: "bones").count == 3)
        #expect(Set(elements.named("circle", inGroup: "joints").compactMap(\.title))
            == ["hip: 0.00", "neck: 0.25", "left hand: 1.00", "right hand: 0.50"])
    }

    @Test func mostImportantJointHasTheLargestDiscInJetsTopColour() throws {
        // r = 3 + v·(12 − 3): hip 3, neck 5.25, left hand 12, right hand 7.5. Jet at 1 is
        // (128, 0, 0) and at 0 is (0, 0, 128) (ColormapTests).
        let discs = try discs(in: SkeletonFigure(jointNames: names, bones: bones)
            .svg(.init(positions: positions, importance: importance)))
        let byName = Dictionary(uniqueKeysWithValues: discs.map { ($0.title?.split(separator: ":").first.map(String.init) ?? "", $0) })
        let largest = try #require(discs.max { (number($0, "r") ?? 0) < (number($1, "r") ?? 0) })
        #expect(largest.title == "left hand: 1.00")
        #expect(number(largest, "r") == 12)
        #expect(largest.attributes["fill"] == "#800000")
        #expect(byName["hip"].flatMap { number($0, "r") } == 3)
        #expect(byName["hip"]?.attributes["fill"] == "#000080")
        #expect(byName["neck"].flatMap { number($0, "r") } == 5.25)
        #expect(byName["right hand"].flatMap { number($0, "r") } == 7.5)
    }

    @Test func discsAreDrawnLargestFirstSoSmallOnesStayVisible() throws {
        let discs = try discs(in: SkeletonFigure(jointNames: names, bones: bones)
            .svg(.init(positions: positions, importance: importance)))
        #expect(discs.compactMap(\.title) == ["left hand: 1.00", "right hand: 0.50", "neck: 0.25", "hip: 0.00"])
    }

    @Test func poseFillsThePanelWithYPointingUp() throws {
        // 240 × 320 panel, margin 16, r_max 12, no caption: the centres may use 240 − 2·28 = 184 ×
        // 320 − 2·28 = 264 pixels. The pose is 1 × 2, so scale = min(184/1, 264/2) = 132, centred at
        // (120, 28 + 132) = (120, 160) with the pose's middle (0, 1) there and y flipped:
        // hip (120, 160 + 132) = (120, 292), neck (120, 28), left hand (120 − 66, 160 − 66) = (54, 94).
        let discs = try discs(in: SkeletonFigure(jointNames: names, bones: bones)
            .svg(.init(positions: positions, importance: importance)))
        let centres = Dictionary(uniqueKeysWithValues: discs.map {
            ($0.title ?? "", [number($0, "cx") ?? .nan, number($0, "cy") ?? .nan])
        })
        #expect(centres["hip: 0.00"] == [120, 292])
        #expect(centres["neck: 0.25"] == [120, 28])
        #expect(centres["left hand: 1.00"] == [54, 94])
        #expect(centres["right hand: 0.50"] == [186, 94])
    }

    @Test func threeDimensionalPositionsDropDepth() throws {
        let figure = SkeletonFigure(jointNames: names, bones: bones)
        let flat = try figure.svg(.init(positions: positions, importance: importance))
        let deep = try figure.svg(.init(positions: positions.enumerated().map { SIMD3($1.x, $1.y, Float($0)) },
                                        importance: importance))
        #expect(flat == deep)
    }

    @Test func jointNamesAndCaptionsAreEscaped() throws {
        let svg = try SkeletonFigure(jointNames: [#"a<b & "c""#, "d'\u{1}e", "f", "g"], bones: bones,
                                     caption: "x > y & z")
            .svg(.init(positions: positions, importance: importance, caption: "<t>"))
        #expect(svg.contains("a&lt;b &amp; &quot;c&quot;: 0.00"))
        #expect(svg.contains("x &gt; y &amp; z") && svg.contains("&lt;t&gt;"))
        let elements = try #require(SVGReading.elements(of: svg))
        #expect(elements.named("circle", inGroup: "joints").compactMap(\.title).contains(#"a<b & "c": 0.00"#))
        #expect(elements.named("circle", inGroup: "joints").compactMap(\.title).contains("d'e: 0.25"))
        #expect(elements.filter { $0.attributes["class"] == "caption" }.map(\.text).sorted() == ["<t>", "x > y & z"])
    }

    @Test func multiPanelFigureHasOneDiscPerJointPerPanelAtOneScale() throws {
        // Three poses, the last at half size: 3 × 4 discs and 3 × 3 bones in a 3·240 = 720 wide figure,
        // panel k shifted right by 240·k. The captions take 14 + 16/2 = 22 pixels of height, leaving
        // 320 − 2·28 − 22 = 242 for the centres; the shared scale is set by the full-size poses
        // (2 tall): 242/2 = 121, so their neck and hip are 242 apart and the half-size pose's 121.
        // All panels show the same view, so every hip, at (0, 0) in each pose, is at the same height.
        let poses = [
            SkeletonFigure.Pose(positions: positions, importance: importance, caption: "t = 0"),
            SkeletonFigure.Pose(positions: positions, importance: importance.reversed(), caption: "t = 10"),
            SkeletonFigure.Pose(positions: positions.map { $0 * 0.5 }, importance: importance, caption: "t = 20"),
        ]
        let svg = try SkeletonFigure(jointNames: names, bones: bones).svg(poses)
        let elements = try #require(SVGReading.elements(of: svg))
        let discs = elements.named("circle", inGroup: "joints")
        #expect(elements.first?.attributes["width"] == "720")
        #expect(elements.filter { $0.attributes["class"] == "panel" }.count == 3)
        #expect(discs.count == 12)
        #expect(elements.named("line", inGroup: "bones").count == 9)
        let hips = discs.filter { $0.title?.hasPrefix("hip") == true }
        #expect(hips.compactMap { number($0, "cx") } == [120, 360, 600])
        #expect(Set(hips.compactMap { number($0, "cy") }).count == 1)
        func height(ofPanel panel: Int) -> Double? {
            let y = { (name: String) in
                discs[(4 * panel)..<(4 * panel + 4)].first { $0.title?.hasPrefix(name) == true }.flatMap { number($0, "cy") }
            }
            return y("hip").flatMap { hip in y("neck").map { hip - $0 } }
        }
        #expect(height(ofPanel: 0) == 242)
        #expect(height(ofPanel: 2) == 121)
    }

    @Test func badInputIsRejected() {
        let figure = SkeletonFigure(jointNames: names, bones: bones)
        expectError(.badInput, about: "skeleton figure", mentioning: "at least one pose") { try figure.svg([]) }
        expectError(.badInput, about: "skeleton figure", mentioning: "1 importances for 4 joints") {
            try figure.svg(.init(positions: positions, importance: [1]))
        }
        expectError(.badInput, about: "skeleton figure", mentioning: "joint 1 ('neck')") {
            let missingNeck: [SIMD2<Float>] = [[0, 0], [0, .nan], [1, 1], [2, 2]]
            return try figure.svg(.init(positions: missingNeck, importance: importance))
        }
        expectError(.badInput, about: "skeleton figure", mentioning: "bone (0, 4) names a joint outside") {
            try SkeletonFigure(jointNames: names, bones: [(0, 4)]).svg(.init(positions: positions, importance: importance))
        }
        var tiny = figure
        tiny.panelWidth = 40
        expectError(.badInput, about: "skeleton figure", mentioning: "no room for discs") {
            try tiny.svg(.init(positions: positions, importance: importance))
        }
    }
}
