import Testing
import STCore
import TestSupport
@testable import STRender

@Suite struct ClipFigureTests {
    /// One channel, two frames of 1 × 2 pixels, values 0…6: min–max per channel over the clip maps
    /// 0 → 0, 3 → 127.5 → 128, 6 → 255, shown as grey (R = G = B).
    @Test func displayFramesScaleEachChannelOverTheClip() throws {
        let clip = Tensor(shape: [1, 1, 2, 1, 2], scalars: [0, 3, 6, 6])
        let frames = try ClipFigure.displayFrames(clip)
        #expect(frames.count == 2)
        #expect(frames[0][x: 0, y: 0] == RGBColour(0, 0, 0))
        #expect(frames[0][x: 1, y: 0] == RGBColour(128, 128, 128))
        #expect(frames[1][x: 0, y: 0] == RGBColour(255, 255, 255))
    }

    /// 100 values: 99 of magnitude 1 and one outlier of 50. The 99th percentile of |v| (index
    /// ⌊99·0.99⌋ = 98 of the sorted magnitudes) is 1, so ordinary values reach full colour and the
    /// outlier is clamped, where max |v| would have shown them at 2 %.
    @Test func signedDisplayValuesScaleByThe99thPercentile() {
        let values = [Float](repeating: -1, count: 99) + [50]
        let shown = ClipFigure.signedDisplayValues(values)
        #expect(shown[0] == -1 && shown[99] == 1)
        #expect(ClipFigure.signedDisplayValues([0, 0]) == [0, 0])
    }

    /// A signed row draws the maps alone: +1 red, −1 blue, 0 white; one normalisation for the row,
    /// so a frame of small values stays pale next to a frame of large ones.
    @Test func signedRowsAreRedWhiteBlueNormalisedOverTheRow() throws {
        let frames = [RGBImage(width: 2, height: 1, colour: .black), RGBImage(width: 2, height: 1, colour: .black)]
        let cells = try ClipFigure.cells(frames: frames, row: .init(name: "R", maps: [[4, -4], [0, 0]], signed: true))
        #expect(cells[0][x: 0, y: 0] == Colormap.redWhiteBlue.colour(at: 1))
        #expect(cells[0][x: 1, y: 0] == Colormap.redWhiteBlue.colour(at: -1))
        #expect(cells[1][x: 0, y: 0] == RGBColour(255, 255, 255))
        expectError(.badInput, about: "figure", mentioning: "row 'R' has 1 maps for 2 frames") {
            try ClipFigure.cells(frames: frames, row: .init(name: "R", maps: [[1, 1]], signed: true))
        }
    }
}
