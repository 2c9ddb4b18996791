import Foundation
import Testing
import STCore
import TestSupport
@testable import STIO

// MARK: - Fixtures

/// The lines of a `.skeleton` file holding `frames`, without line endings: the counts, each body's
/// 10-value line (its ID, then the values of the first body of NTU's S001C001P001R001A001) and
/// 12-value joint lines (the joint's x, y, z, then the depth, colour, orientation and tracking
/// values of that file's first joint).
func skeletonLines(_ frames: [[NTUSkeleton.Body]]) -> [String] {
    var lines = ["\(frames.count)"]
    for bodies in frames {
        lines.append("\(bodies.count)")
        for body in bodies {
            lines.append("\(body.id) 0 1 1 1 1 0 0.02764709 0.05745083 2")
            lines.append("\(body.joints.count)")
            for joint in body.joints {
                lines.append("\(joint.x) \(joint.y) \(joint.z) 277.419 191.8218 1036.233 519.1677 -0.2059419 0.05349901 "
                             + "0.9692109 -0.1239193 2")
            }
        }
    }
    return lines
}

/// `lines` as file text: each line followed by `trailing` and `lineEnding`.
func skeletonText(_ lines: [String], lineEnding: String = "\n", trailing: String = "") -> String {
    lines.map { $0 + trailing + lineEnding }.joined()
}

/// A body whose 25 joints all sit at `position`.
func stillBody(_ id: String, at position: SIMD3<Float>) -> NTUSkeleton.Body {
    NTUSkeleton.Body(id: id, joints: Array(repeating: position, count: NTUSkeleton.jointCount))
}

/// Kinect tracking IDs as the NTU files write them (too large for a `Float` to tell apart).
let idA = "72057594037931101", idB = "72057594037931102", idC = "72057594037931100"

/// Three frames, bodies listed C, A, B; joints of a body share one position per frame:
///
///     frame 0: C (0.5, 0.5, 3)   A (0, 1, 4)   B (0, −1, 3)
///     frame 1: C (0.5, 0.5, 3)   —             B (3, −1, 3)
///     frame 2: C (0.5, 0.5, 3)   A (2, 1, 7)   B (0, −1, 3)
///
/// Activities (σ over the frames a body appears in): A: σx = 1 (x = 0, 2), σy = 0, σz = 1.5
/// (z = 4, 7), so 2.5; B: x = 0, 3, 0 has mean 1 and σx = √((1 + 4 + 1)/3) = √2; C: 0.
let threeBodyFrames: [[NTUSkeleton.Body]] = [
    [stillBody(idC, at: [0.5, 0.5, 3]), stillBody(idA, at: [0, 1, 4]), stillBody(idB, at: [0, -1, 3])],
    [stillBody(idC, at: [0.5, 0.5, 3]), stillBody(idB, at: [3, -1, 3])],
    [stillBody(idC, at: [0.5, 0.5, 3]), stillBody(idA, at: [2, 1, 7]), stillBody(idB, at: [0, -1, 3])],
]

/// Person slot → frame → the position of all 25 joints in `tensor(frames: 3)` of `threeBodyFrames`:
/// A first, B second, C dropped; A is zeros in frame 1, where it is absent.
let threeBodyExpectedPositions: [[SIMD3<Float>]] = [
    [[0, 1, 4], [0, 0, 0], [2, 1, 7]],
    [[0, -1, 3], [3, -1, 3], [0, -1, 3]],
]

/// The position of joint v in frame t of `codedFrames`: (100t + v, −(100t + v), v/4).
func codedPosition(frame t: Int, joint v: Int) -> SIMD3<Float> {
    let code = Float(100 * t + v)
    return SIMD3(code, -code, Float(v) / 4)
}

/// One body, A, in two frames, its joints at `codedPosition`.
let codedFrames: [[NTUSkeleton.Body]] = (0..<2).map { t in
    [NTUSkeleton.Body(id: idA, joints: (0..<NTUSkeleton.jointCount).map { codedPosition(frame: t, joint: $0) })]
}

/// The lines of `codedFrames`: 1 frame count; frame 1 on 2 (body count), 3 (body), 4 (joint
/// count), 5–29 (joints); frame 2 on 30, 31, 32 and 33–57.
let codedLines = skeletonLines(codedFrames)

/// `lines` with line `number` (1-based) replaced by `text`.
func replacing(line number: Int, of lines: [String], with text: String) -> [String] {
    var lines = lines
    lines[number - 1] = text
    return lines
}

/// `lines` with value `index` (0-based) of line `number` replaced by `value`, or removed if nil.
func replacing(value index: Int, line number: Int, of lines: [String], with value: String?) -> [String] {
    var values = lines[number - 1].split(separator: " ").map(String.init)
    if let value { values[index] = value } else { values.remove(at: index) }
    return replacing(line: number, of: lines, with: values.joined(separator: " "))
}

/// A malformed `.skeleton` text and the exact reason its error must give.
struct MalformedSkeleton: Sendable, CustomTestStringConvertible {
    let name: String
    let text: String
    let reason: String

    var testDescription: String { name }

    init(_ name: String, _ lines: [String], _ reason: String) {
        self.name = name
        text = skeletonText(lines)
        self.reason = reason
    }

    static let all: [MalformedSkeleton] = [
        MalformedSkeleton("empty file", [], "empty file"),
        MalformedSkeleton("only blank lines", ["", " \r", "\t"], "empty file"),
        MalformedSkeleton("24 joints", replacing(line: 4, of: codedLines, with: "24"), "line 4: expected 25 joints, got 24"),
        MalformedSkeleton("26 joints", replacing(line: 32, of: codedLines, with: "26"), "line 32: expected 25 joints, got 26"),
        // Lines 1–42 end after joint 10 of frame 2 (joints on 33–57).
        MalformedSkeleton("cut inside a frame", Array(codedLines[..<42]), "line 43: file ends inside frame 2 of 2"),
        MalformedSkeleton("cut inside a frame, then blank lines", Array(codedLines[..<42]) + ["", "  ", ""],
                          "line 43: file ends inside frame 2 of 2"),
        MalformedSkeleton("cut after a body's joint count", Array(codedLines[..<32]), "line 33: file ends inside frame 2 of 2"),
        MalformedSkeleton("cut between frames", Array(codedLines[..<29]), "line 30: file ends before frame 2 of 2"),
        MalformedSkeleton("word for a coordinate", replacing(value: 0, line: 9, of: codedLines, with: "abc"),
                          "line 9: 'abc' is not a number"),
        MalformedSkeleton("word for a tracking state", replacing(value: 11, line: 11, of: codedLines, with: "tracked"),
                          "line 11: 'tracked' is not a number"),
        MalformedSkeleton("word in a body line", replacing(value: 7, line: 31, of: codedLines, with: "lean"),
                          "line 31: 'lean' is not a number"),
        MalformedSkeleton("NaN coordinate", replacing(value: 1, line: 5, of: codedLines, with: "nan"),
                          "line 5: coordinate 'nan' is not finite"),
        MalformedSkeleton("infinite coordinate", replacing(value: 2, line: 40, of: codedLines, with: "-inf"),
                          "line 40: coordinate '-inf' is not finite"),
        MalformedSkeleton("11 values on a joint line", replacing(value: 11, line: 7, of: codedLines, with: nil),
                          "line 7: expected 12 values for joint 3 of body 1 of frame 1, got 11"),
        MalformedSkeleton("13 values on a joint line", replacing(line: 57, of: codedLines, with: codedLines[56] + " 0"),
                          "line 57: expected 12 values for joint 25 of body 1 of frame 2, got 13"),
        MalformedSkeleton("9 values on a body line", replacing(value: 9, line: 31, of: codedLines, with: nil),
                          "line 31: expected 10 values for body 1 of frame 2, got 9"),
        MalformedSkeleton("body ID not an integer", replacing(value: 0, line: 3, of: codedLines, with: "-7205759"),
                          "line 3: body ID '-7205759' is not an unsigned integer"),
        MalformedSkeleton("negative frame count", replacing(line: 1, of: codedLines, with: "-2"),
                          "line 1: frame count -2 is negative"),
        MalformedSkeleton("fractional frame count", replacing(line: 1, of: codedLines, with: "2.5"),
                          "line 1: the frame count '2.5' is not a whole number"),
        MalformedSkeleton("huge frame count", replacing(line: 1, of: codedLines, with: "99999999999999999999"),
                          "line 1: the frame count '99999999999999999999' is too large"),
        MalformedSkeleton("word for the frame count", replacing(line: 1, of: codedLines, with: "frames"),
                          "line 1: 'frames' is not a number"),
        MalformedSkeleton("two values on the frame count line", replacing(line: 1, of: codedLines, with: "2 1"),
                          "line 1: expected one value, the frame count, got 2"),
        MalformedSkeleton("negative body count", replacing(line: 30, of: codedLines, with: "-1"),
                          "line 30: body count -1 of frame 2 is negative"),
        MalformedSkeleton("seven bodies", replacing(line: 2, of: codedLines, with: "7"),
                          "line 2: body count 7 of frame 1 exceeds 6, the most bodies a Kinect v2 tracks"),
        MalformedSkeleton("blank line for a body count", replacing(line: 30, of: codedLines, with: "  "),
                          "line 30: expected the body count of frame 2, found an empty line"),
        MalformedSkeleton("blank line for a joint count", replacing(line: 4, of: codedLines, with: ""),
                          "line 4: expected the joint count of body 1 of frame 1, found an empty line"),
        // Two bodies with A's ID in one frame: the second body line is 3 + 1 + 1 + 25 = 30.
        MalformedSkeleton("same body twice in a frame", skeletonLines([[codedFrames[0][0], codedFrames[1][0]]]),
                          "line 30: body ID \(idA) appears twice in frame 1"),
        MalformedSkeleton("frame count too small", replacing(line: 1, of: codedLines, with: "1"),
                          "line 30: unexpected content after the last frame (line 1 announces 1 frame)"),
    ]
}

// MARK: - Reading

@Suite struct NTUSkeletonTests {
    @Test func bodiesKeepTheirTrackingIDTextAndJointPositions() throws {
        let skeleton = try NTUSkeleton.parse(skeletonText(codedLines), file: "coded.skeleton")
        #expect(skeleton.frames == codedFrames)
        #expect(skeleton.frames[1][0].id == "72057594037931101")
        #expect(skeleton.frames[1][0].joints[24] == SIMD3(124, -124, 6))
    }

    @Test func framesWithoutBodiesAreKept() throws {
        let frames = [[], codedFrames[0], []]
        let skeleton = try NTUSkeleton.parse(skeletonText(skeletonLines(frames)), file: "gaps.skeleton")
        #expect(skeleton.frames == frames)
        #expect(try NTUSkeleton.parse("0\n", file: "none.skeleton").frames.isEmpty)
    }

    @Test func crlfLineEndingsTrailingSpacesAndAByteOrderMarkReadLikeLF() throws {
        let plain = try NTUSkeleton.parse(skeletonText(codedLines), file: "lf.skeleton")
        let windows = skeletonText(codedLines, lineEnding: "\r\n", trailing: " \t ")
        #expect(try NTUSkeleton.parse(windows, file: "crlf.skeleton") == plain)
        #expect(try NTUSkeleton.parse("\u{FEFF}" + windows + "\r\n\r\n", file: "bom.skeleton") == plain)
        let indented = codedLines.map { "  " + $0.replacingOccurrences(of: " ", with: "\t") }
        #expect(try NTUSkeleton.parse(skeletonText(indented), file: "tabs.skeleton") == plain)
    }

    @Test func readLoadsAFileFromDisk() throws {
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        let path = scratch.file("S001C001P001R001A001.skeleton")
        try Data(skeletonText(codedLines, lineEnding: "\r\n").utf8).write(to: URL(fileURLWithPath: path))
        #expect(try NTUSkeleton.read(contentsOf: URL(fileURLWithPath: path)).frames == codedFrames)
    }

    @Test(arguments: MalformedSkeleton.all)
    func malformedTextIsRejectedNamingTheLine(_ malformed: MalformedSkeleton) {
        let error = badInput { _ = try NTUSkeleton.parse(malformed.text, file: "bad.skeleton") }
        #expect(error?.file == "bad.skeleton")
        #expect(error?.reason == malformed.reason)
    }

    @Test func malformedFileIsReportedWithItsPath() throws {
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        let path = scratch.file("cut.skeleton")
        try Data(skeletonText(Array(codedLines[..<42]), lineEnding: "\r\n").utf8).write(to: URL(fileURLWithPath: path))
        let error = badInput { _ = try NTUSkeleton.read(contentsOf: URL(fileURLWithPath: path)) }
        #expect(error?.file == path && error?.reason == "line 43: file ends inside frame 2 of 2")
    }

    @Test func missingFileIsReportedAsNoSuchFile() throws {
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        let path = scratch.file("absent.skeleton")
        let error = badInput { _ = try NTUSkeleton.read(contentsOf: URL(fileURLWithPath: path)) }
        #expect(error?.file == path && error?.reason == "no such file")
    }

    // MARK: - Activity and tensor

    @Test func bodiesAreRankedBySummedCoordinateDeviationNotFileOrder() {
        let ranked = NTUSkeleton(frames: threeBodyFrames).bodiesByActivity()
        #expect(ranked.map { $0.id } == [idA, idB, idC])
        #expect(ranked.map { $0.activity } == [2.5, 2.0.squareRoot(), 0])
    }

    @Test func bodiesOfEqualActivityKeepTheOrderTheyFirstAppearIn() {
        let frames = [[stillBody("9", at: [1, 1, 1])], [stillBody("3", at: [2, 2, 2]), stillBody("9", at: [1, 1, 1])]]
        #expect(NTUSkeleton(frames: frames).bodiesByActivity().map { $0.id } == ["9", "3"])
    }

    @Test func tensorHoldsChannelsFramesJointsAndPersonsInSTGCNOrder() {
        let tensor = NTUSkeleton(frames: codedFrames).tensor(frames: 2)
        #expect(tensor.shape == [1, 3, 2, 25, 2])
        for t in 0..<2 {
            for v in 0..<25 {
                let position = codedPosition(frame: t, joint: v)
                #expect((0..<3).map { tensor[0, $0, t, v, 0] } == [position.x, position.y, position.z])
                #expect((0..<3).allSatisfy { tensor[0, $0, t, v, 1] == 0 })
            }
        }
    }

    /// Every element of `tensor` against `threeBodyExpectedPositions`, zeros past frame 3.
    func expectThreeBodyTensor(_ tensor: Tensor, frames: Int, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(tensor.shape == [1, 3, frames, 25, 2], sourceLocation: sourceLocation)
        for m in 0..<2 {
            for t in 0..<frames {
                let position = t < 3 ? threeBodyExpectedPositions[m][t] : .zero
                for v in 0..<25 {
                    let values = (0..<3).map { tensor[0, $0, t, v, m] }
                    #expect(values == [position.x, position.y, position.z], "person \(m), frame \(t), joint \(v)",
                            sourceLocation: sourceLocation)
                }
            }
        }
    }

    @Test func tensorKeepsTheTwoMostActiveBodiesWithZerosWhereOneIsAbsent() {
        expectThreeBodyTensor(NTUSkeleton(frames: threeBodyFrames).tensor(frames: 3), frames: 3)
    }

    @Test func shorterSequenceIsPaddedWithZeroFramesAfterItsLast() {
        expectThreeBodyTensor(NTUSkeleton(frames: threeBodyFrames).tensor(frames: 5), frames: 5)
    }

    @Test func longerSequenceIsTruncatedAfterRankingOverAllFrames() {
        // Frame 0 alone shows no motion, but A and B keep the slots their whole-file activity earns.
        expectThreeBodyTensor(NTUSkeleton(frames: threeBodyFrames).tensor(frames: 1), frames: 1)
    }

    @Test func personSlotsBeyondTheBodiesAreZerosAndFewerSlotsDropTheLeastActive() {
        let skeleton = NTUSkeleton(frames: threeBodyFrames)
        let four = skeleton.tensor(frames: 3, persons: 4)
        let one = skeleton.tensor(frames: 3, persons: 1)
        #expect(four.shape == [1, 3, 3, 25, 4] && one.shape == [1, 3, 3, 25, 1])
        for c in 0..<3 {
            for t in 0..<3 {
                for v in 0..<25 {
                    let a = threeBodyExpectedPositions[0][t][c], b = threeBodyExpectedPositions[1][t][c]
                    #expect([four[0, c, t, v, 0], four[0, c, t, v, 1]] == [a, b])
                    // C is the third most active: slot 2 holds it (0.5, 0.5, 3), slot 3 stays empty.
                    #expect([four[0, c, t, v, 2], four[0, c, t, v, 3]] == [[0.5, 0.5, 3][c], 0])
                    #expect(one[0, c, t, v, 0] == a)
                }
            }
        }
    }
}
