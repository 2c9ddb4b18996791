import Testing
import STCore
import TestSupport
@testable import STRender

@Suite struct OverlayTests {
    @Test func overlayOfOnePixelBlendsPerChannel() throws {
        let frame = RGBImage(width: 1, height: 1, colour: RGBColour(100, 50, 200))
        // jet(0.5) = (125, 255, 122) (see ColormapTests). With α = 0.5:
        // R 0.5·125 + 0.5·100 = 112.5 → 113; G 127.5 + 25 = 152.5 → 153; B 61 + 100 = 161.
        let blended = try Overlay.overlay(frame: frame, map: [0.5], colormap: .jet, alpha: 0.5)
        #expect(blended[x: 0, y: 0] == RGBColour(113, 153, 161))
        // α = 0 keeps the frame, α = 1 shows the colormap only.
        #expect(try Overlay.overlay(frame: frame, map: [0.5], alpha: 0)[x: 0, y: 0] == RGBColour(100, 50, 200))
        #expect(try Overlay.overlay(frame: frame, map: [0.5], alpha: 1)[x: 0, y: 0] == RGBColour(125, 255, 122))
        // redWhiteBlue(−1) = blue at α = 0.25: R 0.75·100 = 75, G 0.75·50 = 37.5 → 38,
        // B 0.25·255 + 0.75·200 = 63.75 + 150 = 213.75 → 214.
        #expect(try Overlay.overlay(frame: frame, map: [-1], colormap: .redWhiteBlue, alpha: 0.25)[x: 0, y: 0]
            == RGBColour(75, 38, 214))
    }

    @Test func mapOfTheWrongSizeIsAnError() {
        expectError(.badInput, about: "map", mentioning: "3 values for a 2×2 image") {
            try Overlay.overlay(frame: RGBImage(width: 2, height: 2), map: [0, 1, 0])
        }
    }

    @Test func heatmapAndGrayscalePlacePixelsRowMajor() throws {
        // Map (2 wide, 1 high): [0, 1] → black then white.
        let grey = try Overlay.grayscale([0, 1], width: 2, height: 1)
        #expect(grey[x: 0, y: 0] == .black && grey[x: 1, y: 0] == .white)
        let heat = try Overlay.heatmap([1, 0], width: 1, height: 2, colormap: .redWhiteBlue)
        #expect(heat[x: 0, y: 0] == .red && heat[x: 0, y: 1] == .white)
    }

    @Test func frameUndoesPerChannelNormalisation() throws {
        // (3, 1, 2): pixel values x·std + mean with mean (0.5, 0.25, 0), std (0.5, 0.25, 1).
        // Pixel 0: R 1·0.5 + 0.5 = 1 → 255; G 1·0.25 + 0.25 = 0.5 → 127.5 → 128; B 0.2 → 51.
        // Pixel 1: R −2·0.5 + 0.5 = −0.5 → 0; G 3·0.25 + 0.25 = 1 → 255; B 2 → clamped 1 → 255.
        let tensor = Tensor(shape: [3, 1, 2], scalars: [1, -2, 1, 3, 0.2, 2])
        let frame = try Overlay.frame(fromNormalised: tensor, mean: [0.5, 0.25, 0], std: [0.5, 0.25, 1])
        #expect(frame.width == 2 && frame.height == 1)
        #expect(frame[x: 0, y: 0] == RGBColour(255, 128, 51))
        #expect(frame[x: 1, y: 0] == RGBColour(0, 255, 255))
    }

    @Test func clipFramePicksSampleAndTime() throws {
        // (N 2, C 1, T 2, H 1, W 1) with mean 0, std 1: elements in order n0t0, n0t1, n1t0, n1t1.
        // Sample 1, time 0 is 0.4 → 102 in all three channels.
        let clip = Tensor(shape: [2, 1, 2, 1, 1], scalars: [0.1, 0.2, 0.4, 0.8])
        let frame = try Overlay.frame(fromNormalisedClip: clip, sample: 1, time: 0, mean: [0], std: [1])
        #expect(frame[x: 0, y: 0] == RGBColour(102, 102, 102))
        expectError(.badInput, about: "clip", mentioning: "(sample 2, time 0) outside") {
            try Overlay.frame(fromNormalisedClip: clip, sample: 2, time: 0, mean: [0], std: [1])
        }
    }

    @Test func frameRejectsBadShapesAndStatistics() {
        expectError(.badInput, about: "frame", mentioning: "got [2, 4, 4]") {
            try Overlay.frame(fromNormalised: Tensor(zeros: [2, 4, 4]), mean: [0, 0], std: [1, 1])
        }
        expectError(.badInput, about: "mean/std", mentioning: "for 3 channels") {
            try Overlay.frame(fromNormalised: Tensor(zeros: [3, 4, 4]), mean: [0], std: [1])
        }
    }
}
