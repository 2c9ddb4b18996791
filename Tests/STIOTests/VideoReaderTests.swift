import Foundation
import Testing
import STCore
import TestSupport
@testable import STIO

/// The frame indices a brightness-coded clip (frame i has level 10·i, see
/// `VideoFixture.brightnessVideo`) holds in window `window`: the red channel of each frame's
/// centre pixel, in [0, 1] under `.none`, times 255/10, rounded.
private func frameIndices(_ clip: VideoClip, window: Int = 0) -> [Int] {
    let shape = clip.tensor.shape
    return (0..<shape[2]).map { time in
        Int((clip.tensor[window, 0, time, shape[3] / 2, shape[4] / 2] * 255 / 10).rounded())
    }
}

@Suite struct VideoReaderTests {
    @Test func readsEveryFrameInOrderAsRGBInZeroToOne() throws {
        let folder = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = try VideoFixture.brightnessVideo(in: folder)

        let clip = try VideoReader.read(path, tools: VideoFixture.tools)

        #expect(clip.tensor.shape == [1, 3, 20, 48, 64])
        #expect(frameIndices(clip) == Array(0..<20))
        #expect(clip.decodedFrameCount == 20 && !clip.isPadded)
        #expect(clip.info?.framesPerSecond == 10)
    }

    @Test func startCountAndStrideSelectFrames5_8_11_14() throws {
        let folder = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = try VideoFixture.brightnessVideo(in: folder)

        // Start 0.5 s × 10 fps = frame 5; every 3rd frame from there: 5, 8, 11, 14; 4 of them.
        let clip = try VideoReader.read(path, clip: ClipSelection(startSeconds: 0.5, frameCount: 4, sampling: .stride(3)),
                                        tools: VideoFixture.tools)

        #expect(clip.tensor.shape == [1, 3, 4, 48, 64])
        #expect(frameIndices(clip) == [5, 8, 11, 14])
    }

    @Test func targetFrameRateOf5KeepsEverySecondFrame() throws {
        let folder = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = try VideoFixture.brightnessVideo(in: folder)

        // Ticks at 0, 0.2, 0.4, 0.6 s after the start 0.3 s: source frames 3, 5, 7, 9.
        let clip = try VideoReader.read(path, clip: ClipSelection(startSeconds: 0.3, frameCount: 4, sampling: .framesPerSecond(5)),
                                        tools: VideoFixture.tools)

        #expect(frameIndices(clip) == [3, 5, 7, 9])
    }

    @Test func clipLongerThanTheRestOfTheVideoRepeatsTheLastFrame() throws {
        let folder = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = try VideoFixture.brightnessVideo(in: folder)

        // From 1.5 s only frames 15…19 remain: 5 real frames, then 19 three more times.
        let clip = try VideoReader.read(path, clip: ClipSelection(startSeconds: 1.5, frameCount: 8), tools: VideoFixture.tools)

        #expect(clip.tensor.shape == [1, 3, 8, 48, 64])
        #expect(frameIndices(clip) == [15, 16, 17, 18, 19, 19, 19, 19])
        #expect(clip.decodedFrameCount == 5)
        #expect(clip.isPadded)
    }

    @Test func startAfterTheEndDecodesNothingAndSaysSo() throws {
        let folder = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = try VideoFixture.brightnessVideo(in: folder)

        #expect(throws: STError.badInput(file: path, reason: "no video frames decoded from 5 s on (the video lasts 2 s)")) {
            try VideoReader.read(path, clip: ClipSelection(startSeconds: 5, frameCount: 4), tools: VideoFixture.tools)
        }
    }

    /// Kinetics' fixed output size needs no probe (one ffmpeg process per clip); a failure is
    /// still explained with what the probe finds.
    @Test func fixedSizePresetsProbeOnlyToExplainAFailure() throws {
        let folder = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = try VideoFixture.brightnessVideo(in: folder)
        let clip = try VideoReader.read(path, clip: ClipSelection(frameCount: 4), preprocessing: .kinetics, tools: VideoFixture.tools)
        #expect(clip.tensor.shape == [1, 3, 4, 112, 112] && clip.info == nil)
        #expect(throws: STError.badInput(file: path, reason: "no video frames decoded from 5 s on (the video lasts 2 s)")) {
            try VideoReader.read(path, clip: ClipSelection(startSeconds: 5, frameCount: 4), preprocessing: .kinetics,
                                 tools: VideoFixture.tools)
        }
        let text = folder.appendingPathComponent("notes.mp4").path
        try "not a video".write(toFile: text, atomically: true, encoding: .utf8)
        var probeError: STError?
        do { _ = try VideoProbe.probe(text, tools: VideoFixture.tools) } catch let error as STError { probeError = error }
        let expected = try #require(probeError)
        #expect(throws: expected) { try VideoReader.read(text, preprocessing: .kinetics, tools: VideoFixture.tools) }
    }

    /// Clips decoded by one ffmpeg process equal the same clips read one by one; a group with a
    /// file ffmpeg cannot read gives nil (the caller then reads one by one).
    @Test func clipsDecodedTogetherEqualClipsReadAlone() throws {
        let folder = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = try VideoFixture.brightnessVideo(in: folder)
        let clips = [ClipSelection(frameCount: 4), ClipSelection(startSeconds: 1, frameCount: 4), ClipSelection(frameCount: 3, sampling: .stride(3))]
        let together = try #require(try VideoReader.readTogether(Array(repeating: path, count: 3), clips: clips,
                                                                 preprocessing: .kinetics, tools: VideoFixture.tools))
        for (clip, selection) in zip(together, clips) {
            let alone = try VideoReader.read(path, clip: selection, preprocessing: .kinetics, tools: VideoFixture.tools)
            #expect(clip.tensor.shape == alone.tensor.shape && clip.tensor.scalars == alone.tensor.scalars)
            #expect(clip.decodedFrameCount == alone.decodedFrameCount)
        }
        #expect(together[0].tensor.scalars != together[1].tensor.scalars)
        let text = folder.appendingPathComponent("notes.mp4").path
        try "not a video".write(toFile: text, atomically: true, encoding: .utf8)
        #expect(try VideoReader.readTogether([path, text], clips: Array(clips.prefix(2)), preprocessing: .kinetics,
                                             tools: VideoFixture.tools) == nil)
        #expect(try VideoReader.readTogether([path, path], clips: Array(clips.prefix(2)), preprocessing: .none,
                                             tools: VideoFixture.tools) == nil)
    }

    @Test func slidingWindowsOf8FramesWithHop4() throws {
        let folder = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = try VideoFixture.brightnessVideo(in: folder)
        let small = VideoPreprocessing(resize: .exact(.init(width: 8, height: 8)))

        // 20 frames: ⌊(20 − 8) / 4⌋ + 1 = 4 complete windows starting at 0, 4, 8, 12.
        let windows = try VideoReader.readWindows(path, length: 8, hop: 4, preprocessing: small, tools: VideoFixture.tools)

        #expect(windows.tensor.shape == [4, 3, 8, 8, 8])
        #expect(windows.windowStarts == [0, 4, 8, 12])
        #expect(frameIndices(windows, window: 2) == Array(8..<16))
        #expect(frameIndices(windows, window: 3) == Array(12..<20))

        // 3 frames selected, windows of 8: one window, the last frame repeated.
        let short = try VideoReader.readWindows(path, length: 8, hop: 4, clip: ClipSelection(frameCount: 3),
                                                preprocessing: small, tools: VideoFixture.tools)
        #expect(short.tensor.shape == [1, 3, 8, 8, 8])
        #expect(frameIndices(short) == [0, 1, 2, 2, 2, 2, 2, 2])
        #expect(short.decodedFrameCount == 3 && short.isPadded)
    }

    @Test func framesComeBackAsRGBBytesAfterResizeAndCrop() throws {
        let folder = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("redblue.mp4").path
        try VideoWriter.write([try VideoFixture.redBlueFrame()], to: path, framesPerSecond: 10, codec: .mpeg4,
                              tools: VideoFixture.tools)

        // 64×48 (red x < 32, blue x ≥ 32) cropped to its central 32×16: left offset
        // (64 − 32)/2 = 16, so columns 0…15 of the crop are red and 16…31 blue.
        let frames = try VideoReader.frames(path, preprocessing: VideoPreprocessing(centerCrop: .init(width: 32, height: 16)),
                                            tools: VideoFixture.tools)

        #expect(frames.count == 1)
        #expect(frames[0].width == 32 && frames[0].height == 16)
        let left = frames[0].pixel(x: 4, y: 8), right = frames[0].pixel(x: 27, y: 8)
        #expect(left.red >= 235 && left.green <= 20 && left.blue <= 20)
        #expect(right.red <= 20 && right.green <= 20 && right.blue >= 235)
    }

    @Test func invalidSelectionsAndCropsAreRequestErrors() throws {
        let folder = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = try VideoFixture.brightnessVideo(in: folder)

        #expect(throws: STError.invalidRequest("frame stride must be at least 1, got 0")) {
            try VideoReader.read(path, clip: ClipSelection(sampling: .stride(0)), tools: VideoFixture.tools)
        }
        #expect(throws: STError.invalidRequest("centre crop 112×112 does not fit the resized frame 64×48")) {
            try VideoReader.read(path, preprocessing: VideoPreprocessing(centerCrop: .init(width: 112, height: 112)),
                                 tools: VideoFixture.tools)
        }
        #expect(throws: STError.invalidRequest("sliding windows need a length and a hop of at least 1 frame, got 8 and 0")) {
            try VideoReader.readWindows(path, length: 8, hop: 0, tools: VideoFixture.tools)
        }
    }
}

@Suite struct VideoPreprocessingTests {
    /// A 64×48 MPEG-4 video of 4 frames of the colour R 200, G 100, B 50.
    private func constantColourVideo(in folder: URL) throws -> String {
        let path = folder.appendingPathComponent("constant.mp4").path
        let frame = try VideoFrame(width: 64, height: 48, red: 200, green: 100, blue: 50)
        try VideoWriter.write(Array(repeating: frame, count: 4), to: path, framesPerSecond: 10, codec: .mpeg4,
                              tools: VideoFixture.tools)
        return path
    }

    /// Every value of channel `channel` of `tensor` (N, 3, T, H, W) lies within `tolerance` of `expected`.
    private func channel(_ channel: Int, of tensor: Tensor, isWithin tolerance: Float, of expected: Float) -> Bool {
        let plane = tensor.shape[2] * tensor.shape[3] * tensor.shape[4]
        let values = tensor.scalars
        return (0..<tensor.shape[0]).allSatisfy { window in
            let base = (window * 3 + channel) * plane
            return values[base ..< base + plane].allSatisfy { abs($0 - expected) <= tolerance }
        }
    }

    @Test func kineticsPresetIs112CropWithTorchvisionMeanAndStd() throws {
        let folder = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let clip = try VideoReader.read(try constantColourVideo(in: folder), preprocessing: .kinetics, tools: VideoFixture.tools)

        #expect(clip.tensor.shape == [1, 3, 4, 112, 112])
        // (byte/255 − mean)/std:
        //   R (200/255 − 0.43216)/0.22803  = (0.784314 − 0.43216)/0.22803  =  1.544332
        //   G (100/255 − 0.394666)/0.22145 = (0.392157 − 0.394666)/0.22145 = −0.011330
        //   B  (50/255 − 0.37645)/0.216989 = (0.196078 − 0.37645)/0.216989 = −0.831248
        // Codec tolerance ±4 levels: 4/255/0.216989 = 0.0723 at most.
        #expect(channel(0, of: clip.tensor, isWithin: 0.075, of: 1.544332))
        #expect(channel(1, of: clip.tensor, isWithin: 0.075, of: -0.011330))
        #expect(channel(2, of: clip.tensor, isWithin: 0.075, of: -0.831248))
    }

    @Test func c3dPresetIsBGRMinusSports1MMeans() throws {
        let folder = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let clip = try VideoReader.read(try constantColourVideo(in: folder), preprocessing: .c3d, tools: VideoFixture.tools)

        #expect(clip.tensor.shape == [1, 3, 4, 112, 112])
        // Channel 0 is blue: 50 − 90.25 = −40.25; green 100 − 97.66 = 2.34; red 200 − 101.41 = 98.59.
        #expect(channel(0, of: clip.tensor, isWithin: 4, of: -40.25))
        #expect(channel(1, of: clip.tensor, isWithin: 4, of: 2.34))
        #expect(channel(2, of: clip.tensor, isWithin: 4, of: 98.59))
    }

    @Test func nonePresetKeepsTheSizeAndScalesToZeroOne() throws {
        let folder = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let clip = try VideoReader.read(try constantColourVideo(in: folder), preprocessing: .none, tools: VideoFixture.tools)

        #expect(clip.tensor.shape == [1, 3, 4, 48, 64])
        // 200/255 = 0.784314, 100/255 = 0.392157, 50/255 = 0.196078; ±4/255 = 0.0157.
        #expect(channel(0, of: clip.tensor, isWithin: 0.016, of: 0.784314))
        #expect(channel(1, of: clip.tensor, isWithin: 0.016, of: 0.392157))
        #expect(channel(2, of: clip.tensor, isWithin: 0.016, of: 0.196078))
    }

    @Test func customSizeMeanAndStd() throws {
        let folder = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let custom = VideoPreprocessing(resize: .exact(.init(width: 32, height: 24)), centerCrop: .init(width: 16, height: 16),
                                        mean: [0.5, 0.5, 0.5], std: [0.25, 0.25, 0.25])
        let clip = try VideoReader.read(try constantColourVideo(in: folder), clip: ClipSelection(frameCount: 2),
                                        preprocessing: custom, tools: VideoFixture.tools)

        #expect(clip.tensor.shape == [1, 3, 2, 16, 16])
        // (200/255 − 0.5)/0.25 = 1.137255; (100/255 − 0.5)/0.25 = −0.431373; (50/255 − 0.5)/0.25 = −1.215686;
        // ±4 levels: 4/255/0.25 = 0.0627.
        #expect(channel(0, of: clip.tensor, isWithin: 0.063, of: 1.137255))
        #expect(channel(1, of: clip.tensor, isWithin: 0.063, of: -0.431373))
        #expect(channel(2, of: clip.tensor, isWithin: 0.063, of: -1.215686))
    }

    @Test func geometryFollowsTorchvisionResizeAndCropArithmetic() throws {
        // Kinetics on 64×48: exact 171×128, crop left round((171 − 112)/2) = round(29.5) = 30
        // (half to even), top (128 − 112)/2 = 8.
        let kinetics = try VideoPreprocessing.kinetics.geometry(sourceWidth: 64, sourceHeight: 48)
        #expect(kinetics.filters == ["scale=171:128:flags=bilinear", "format=rgb24", "crop=112:112:30:8"])
        #expect(kinetics.output == .init(width: 112, height: 112))

        // Short side 128 of 640×480: width ⌊128 · 640/480⌋ = ⌊170.67⌋ = 170; crop 112 at
        // round(58/2) = 29, round(16/2) = 8.
        let shortSide = VideoPreprocessing(resize: .shortSide(128), centerCrop: .init(width: 112, height: 112))
        #expect(try shortSide.geometry(sourceWidth: 640, sourceHeight: 480).filters
                == ["scale=170:128:flags=bilinear", "format=rgb24", "crop=112:112:29:8"])
        // Portrait 480×640: the width is the short side: 128 × ⌊128 · 640/480⌋ = 128×170.
        #expect(try shortSide.geometry(sourceWidth: 480, sourceHeight: 640).filters
                == ["scale=128:170:flags=bilinear", "format=rgb24", "crop=112:112:8:29"])

        // No resize, no crop: only the conversion to RGB.
        #expect(try VideoPreprocessing.none.geometry(sourceWidth: 64, sourceHeight: 48).filters == ["format=rgb24"])
    }

    @Test func tensorPackingOrdersChannelsAndNormalises() throws {
        // One 1×1 frame (R 255, G 0, B 51). BGR, scale 1, mean (1, 2, 3), std (2, 2, 2):
        // B (51 − 1)/2 = 25, G (0 − 2)/2 = −1, R (255 − 3)/2 = 126.
        let frame = try VideoFrame(width: 1, height: 1, pixels: [255, 0, 51])
        let preprocessing = VideoPreprocessing(channelOrder: .bgr, pixelScale: 1, mean: [1, 2, 3], std: [2, 2, 2])
        let tensor = preprocessing.tensor(of: [frame], windowStarts: [0], length: 2)
        #expect(tensor.shape == [1, 3, 2, 1, 1])
        #expect(tensor.scalars == [25, 25, -1, -1, 126, 126])
    }
}
