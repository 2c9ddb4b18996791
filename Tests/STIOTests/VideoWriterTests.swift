import Foundation
import Testing
import STCore
import TestSupport
@testable import STIO

@Suite struct VideoWriterTests {
    /// Writes 5 red|blue frames at 10 fps to `name`, reads them back and checks size, rate, count
    /// and the colours of a pixel in each half (away from the edge, where 4:2:0 chroma blurs)
    /// within ±20 of 255/0.
    private func roundTrip(_ name: String, codec: VideoWriter.Codec? = nil) throws -> VideoInfo {
        let folder = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent(name).path
        try VideoWriter.write(Array(repeating: try VideoFixture.redBlueFrame(), count: 5), to: path, framesPerSecond: 10,
                              codec: codec, tools: VideoFixture.tools)

        let frames = try VideoReader.frames(path, tools: VideoFixture.tools)
        #expect(frames.count == 5)
        for frame in frames {
            let left = frame.pixel(x: 8, y: 24), right = frame.pixel(x: 56, y: 24)
            #expect(left.red >= 235 && left.green <= 20 && left.blue <= 20, "left half \(left)")
            #expect(right.red <= 20 && right.green <= 20 && right.blue >= 235, "right half \(right)")
        }
        // Nothing but the destination is left in the folder (the temporary file was renamed).
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == [name])
        return try VideoProbe.probe(path, tools: VideoFixture.tools)
    }

    @Test func mp4WithTheBestCodecComesBackRedAndBlue() throws {
        let codec = try VideoWriter.bestCodec(tools: VideoFixture.tools)
        let info = try roundTrip("overlay.mp4")
        #expect(info.codec == (codec == .h264 ? "h264" : "mpeg4"))
        #expect(info.width == 64 && info.height == 48 && info.framesPerSecond == 10 && info.estimatedFrameCount == 5)
    }

    @Test func mpeg4ComesBackRedAndBlue() throws {
        let info = try roundTrip("overlay.mp4", codec: .mpeg4)
        #expect(info.codec == "mpeg4")
    }

    @Test func gifComesBackRedAndBlue() throws {
        let info = try roundTrip("overlay.gif")
        #expect(info.codec == "gif")
        #expect(info.width == 64 && info.height == 48)
    }

    @Test func bestCodecIsH264ExactlyWhenLibx264IsListed() throws {
        let encoders = try VideoFixture.tools.run(.ffmpeg, ["-hide_banner", "-encoders"], file: "x")
        let listed = String(decoding: encoders.output, as: UTF8.self).contains(" libx264 ")
        #expect(try VideoWriter.bestCodec(tools: VideoFixture.tools) == (listed ? .h264 : .mpeg4))
    }

    @Test func oddSizeIsPaddedToEvenForMP4() throws {
        let folder = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("odd.mp4").path
        try VideoWriter.write([try VideoFixture.redBlueFrame(width: 33, height: 25)], to: path, framesPerSecond: 5,
                              tools: VideoFixture.tools)

        // 33×25 → ceil to even: 34×26.
        let info = try VideoProbe.probe(path, tools: VideoFixture.tools)
        #expect(info.width == 34 && info.height == 26)
    }

    @Test func failedEncodeLeavesNoTemporaryFileAndKeepsTheOldDestination() throws {
        let folder = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        // A stand-in ffmpeg that writes part of its output file (its last argument, after
        // "file:"), complains and fails, as a real encoder failing halfway would.
        let fake = folder.appendingPathComponent("ffmpeg").path
        try Data("""
            #!/bin/sh
            for last; do :; done
            echo partial > "${last#file:}"
            echo "Conversion failed!" >&2
            exit 1
            """.utf8).write(to: URL(fileURLWithPath: fake))
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: fake)
        let output = folder.appendingPathComponent("out")
        try FileManager.default.createDirectory(at: output, withIntermediateDirectories: true)
        let path = output.appendingPathComponent("overlay.mp4").path
        try Data("old".utf8).write(to: URL(fileURLWithPath: path))

        #expect(throws: STError.badInput(file: path, reason: "ffmpeg failed: Conversion failed!")) {
            try VideoWriter.write([try VideoFixture.redBlueFrame()], to: path, framesPerSecond: 10, codec: .mpeg4,
                                  tools: FFmpegTools(environment: ["STEXPLAIN_FFMPEG": fake]))
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: output.path) == ["overlay.mp4"])
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "old")
    }

    @Test func badRequestsAreRejectedBeforeFFmpegRuns() throws {
        let frame = try VideoFixture.redBlueFrame()
        let other = try VideoFixture.redBlueFrame(width: 32, height: 48)
        #expect(throws: STError.invalidRequest("no frames to write to /tmp/a.mp4")) {
            try VideoWriter.write([], to: "/tmp/a.mp4", framesPerSecond: 10)
        }
        #expect(throws: STError.invalidRequest("frames written to /tmp/a.mp4 must all be 64×48")) {
            try VideoWriter.write([frame, other], to: "/tmp/a.mp4", framesPerSecond: 10)
        }
        #expect(throws: STError.invalidRequest("frame rate must be positive, got 0.0")) {
            try VideoWriter.write([frame], to: "/tmp/a.mp4", framesPerSecond: 0)
        }
        #expect(throws: STError.invalidRequest("cannot tell the video format of /tmp/a.avi: use a .mp4 or .gif name")) {
            try VideoWriter.write([frame], to: "/tmp/a.avi", framesPerSecond: 10)
        }
        #expect(throws: STError.badInput(file: "/nonexistent/a.mp4", reason: "folder /nonexistent does not exist")) {
            try VideoWriter.write([frame], to: "/nonexistent/a.mp4", framesPerSecond: 10)
        }
    }

    @Test func frameBytesMustMatchTheSize() {
        #expect(throws: STError.invalidRequest("a 2×2 RGB frame needs 12 bytes, got 11")) {
            try VideoFrame(width: 2, height: 2, pixels: [UInt8](repeating: 0, count: 11))
        }
    }
}
