import Foundation
import Testing
import STCore
import TestSupport
@testable import STIO

// MARK: - Fixtures

/// Test videos made by ffmpeg itself (lavfi sources) or by `VideoWriter`, in a fresh temporary
/// folder per test.
enum VideoFixture {
    /// The tools every test uses: the installed ffmpeg, a time limit far above any test's need.
    static let tools = FFmpegTools(timeoutSeconds: 30)

    /// Runs `ffmpeg -v error -y -nostdin <arguments>` and requires it to succeed.
    static func ffmpeg(_ arguments: [String]) throws {
        let run = try tools.run(.ffmpeg, ["-v", "error", "-y", "-nostdin"] + arguments, file: "fixture")
        guard run.succeeded else { throw STError.badInput(file: "fixture", reason: run.failureReason(.ffmpeg)) }
    }

    /// ffmpeg's `testsrc` pattern, 64×48 at 10 fps for 2 s (20 frames), MPEG-4 in MP4 (the
    /// encoder every ffmpeg build has), its index (`moov`) at the end of the file, or at the
    /// front with `indexFirst` (`-movflags +faststart`).
    static func testPattern(in folder: URL, indexFirst: Bool = false) throws -> String {
        let path = folder.appendingPathComponent(indexFirst ? "testsrc-faststart.mp4" : "testsrc.mp4").path
        try ffmpeg(["-f", "lavfi", "-i", "testsrc=size=64x48:rate=10", "-t", "2", "-c:v", "mpeg4", "-q:v", "2"]
                   + (indexFirst ? ["-movflags", "+faststart"] : []) + [path])
        return path
    }

    /// `count` grey frames whose level encodes their index: frame i has every byte 10·i.
    static func brightnessFrames(count: Int, width: Int = 64, height: Int = 48) throws -> [VideoFrame] {
        try (0..<count).map { index in
            let level = UInt8(10 * index)
            return try VideoFrame(width: width, height: height, red: level, green: level, blue: level)
        }
    }

    /// 20 brightness-coded frames (level 10·i) at 10 fps as MPEG-4 — 2 s, frame i at i/10 s.
    static func brightnessVideo(in folder: URL) throws -> String {
        let path = folder.appendingPathComponent("brightness.mp4").path
        try VideoWriter.write(try brightnessFrames(count: 20), to: path, framesPerSecond: 10, codec: .mpeg4, tools: tools)
        return path
    }

    /// A frame whose left half is pure red and right half pure blue.
    static func redBlueFrame(width: Int = 64, height: Int = 48) throws -> VideoFrame {
        var pixels: [UInt8] = []
        for _ in 0..<height {
            for x in 0..<width {
                pixels += x < width / 2 ? [255, 0, 0] : [0, 0, 255]
            }
        }
        return try VideoFrame(width: width, height: height, pixels: pixels)
    }
}

// MARK: - Probe

@Suite struct VideoProbeTests {
    @Test func probeReportsRateSizeDurationAndFrameCountOfTestPattern() throws {
        let folder = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = try VideoFixture.testPattern(in: folder)

        let info = try VideoProbe.probe(path, tools: VideoFixture.tools)

        // testsrc=size=64x48:rate=10 for -t 2: 10 fps × 2 s = 20 frames, as generated.
        #expect(info == VideoInfo(width: 64, height: 48, framesPerSecond: 10, durationSeconds: 2,
                                  estimatedFrameCount: 20, rotationDegrees: 0, codec: "mpeg4"))
    }

    @Test func missingFileIsNamedWithoutRunningFFprobe() {
        let path = "/nonexistent/clip.mp4"
        #expect(throws: STError.badInput(file: path, reason: "no such file")) {
            try VideoProbe.probe(path, tools: VideoFixture.tools)
        }
    }

    @Test func folderIsNotAVideo() throws {
        let folder = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        #expect(throws: STError.badInput(file: folder.path, reason: "is a directory, not a file")) {
            try VideoProbe.probe(folder.path, tools: VideoFixture.tools)
        }
    }

    @Test func audioOnlyFileHasNoVideoStream() throws {
        let folder = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("tone.wav").path
        try VideoFixture.ffmpeg(["-f", "lavfi", "-i", "sine=frequency=440:duration=1", path])

        #expect(throws: STError.badInput(file: path, reason: "no video stream (only audio or other streams)")) {
            try VideoProbe.probe(path, tools: VideoFixture.tools)
        }
        #expect(throws: STError.badInput(file: path, reason: "no video stream (only audio or other streams)")) {
            try VideoReader.read(path, tools: VideoFixture.tools)
        }
    }

    @Test func textFileGivesFFprobesFirstErrorLine() throws {
        let folder = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("notes.txt").path
        try Data("these are notes, not a video\n".utf8).write(to: URL(fileURLWithPath: path))

        // ffprobe prints "file:<path>: Invalid data found when processing input"; the message
        // names the file once, so the "file:<path>: " part is dropped.
        #expect(throws: STError.badInput(file: path, reason: "ffprobe failed: Invalid data found when processing input")) {
            try VideoProbe.probe(path, tools: VideoFixture.tools)
        }
    }

    @Test func fileCutTo40PercentIsAnErrorOrFewerFramesNeverAHang() throws {
        let folder = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        // Both layouts: index at the end (ffmpeg's default), so the cut removes it, and at the
        // front (`+faststart`), so the cut removes most frames; and a 2 KB file cut inside its
        // first frame (the flat brightness frames compress to almost nothing).
        let indexAtEnd = try VideoFixture.testPattern(in: folder)
        let indexAtFront = try VideoFixture.testPattern(in: folder, indexFirst: true)
        let tiny = try VideoFixture.brightnessVideo(in: folder)
        for path in [indexAtEnd, indexAtFront, tiny] {
            let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
            try bytes.prefix(bytes.count * 4 / 10).write(to: URL(fileURLWithPath: path))
            do {
                let clip = try VideoReader.read(path, tools: FFmpegTools(timeoutSeconds: 10))
                #expect(clip.decodedFrameCount < 20)
            } catch let error as STError {
                guard case .badInput(let file, let reason) = error else {
                    Issue.record("unexpected error \(error)")
                    continue
                }
                #expect(file == path)
                #expect(!reason.contains("\n"))
                #expect(!reason.contains("did not finish"), "a truncated file must fail, not hang until the timeout")
            }
        }
        // The index-at-end file has lost its index: ffprobe says "moov atom not found", which the
        // error explains.
        #expect(throws: STError.badInput(file: indexAtEnd, reason: "not a playable MP4: its index (moov atom) is missing — "
                                         + "the file is truncated, still being written, or not an MP4")) {
            try VideoProbe.probe(indexAtEnd, tools: VideoFixture.tools)
        }
    }

    @Test func missingFFprobeAndFFmpegTellHowToInstallThem() throws {
        let folder = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = try VideoFixture.testPattern(in: folder)
        let overridden = FFmpegTools(environment: ["STEXPLAIN_FFMPEG": "/nonexistent", "STEXPLAIN_FFPROBE": "/nonexistent",
                                                   "PATH": "/usr/bin:/bin"])
        let notOnPath = FFmpegTools(environment: ["PATH": folder.path])

        #expect(throws: STError.badInput(file: path, reason: "ffprobe is not installed; run scripts/install-deps.sh"
                                            + " (STEXPLAIN_FFPROBE=/nonexistent is not an executable file)")) {
            try VideoReader.read(path, tools: overridden)
        }
        #expect(throws: STError.badInput(file: path, reason: "ffprobe is not installed; run scripts/install-deps.sh")) {
            try VideoProbe.probe(path, tools: notOnPath)
        }
        let output = folder.appendingPathComponent("out.mp4").path
        #expect(throws: STError.badInput(file: output, reason: "ffmpeg is not installed; run scripts/install-deps.sh")) {
            try VideoWriter.write([try VideoFixture.redBlueFrame()], to: output, framesPerSecond: 10, tools: notOnPath)
        }
    }

    @Test func executablesAreFoundOnPathOrThroughTheOverride() throws {
        let onPath = FFmpegTools(environment: ["PATH": "/nonexistent:/usr/bin"])
        #expect(try onPath.executable(.ffprobe, neededFor: "x") == "/usr/bin/ffprobe")
        let overridden = FFmpegTools(environment: ["STEXPLAIN_FFMPEG": "/usr/bin/ffmpeg", "PATH": ""])
        #expect(try overridden.executable(.ffmpeg, neededFor: "x") == "/usr/bin/ffmpeg")
    }
}

// MARK: - Running the executables

@Suite struct VideoFFmpegProcessTests {
    @Test func runThatOutlivesItsTimeLimitIsStoppedAndReported() throws {
        #expect(throws: STError.badInput(file: "clip.mp4", reason: "sleep did not finish within 0.5 s and was stopped")) {
            try FFmpegProcess.run("/bin/sleep", ["30"], timeoutSeconds: 0.5, file: "clip.mp4")
        }
        // The child is stopped, not waited for: when the error comes, the process is gone.
        let pidFile = try temporaryDirectory().appendingPathComponent("pid").path
        #expect(throws: STError.badInput(file: "clip.mp4", reason: "sh did not finish within 0.5 s and was stopped")) {
            try FFmpegProcess.run("/bin/sh", ["-c", "echo $$ > \(pidFile); exec sleep 30"], timeoutSeconds: 0.5, file: "clip.mp4")
        }
        let pid = try #require(Int32(String(contentsOfFile: pidFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)))
        #expect(kill(pid, 0) == -1 && errno == ESRCH, "process \(pid) still runs")
    }

    @Test func megabytesOnBothOutputsDoNotDeadlock() throws {
        // 1 MiB to standard error first, then 1 MiB to standard output: with undrained 64 KiB
        // pipes the child would block on the first write.
        let run = try FFmpegProcess.run("/bin/sh", ["-c", "head -c 1048576 /dev/zero >&2; head -c 1048576 /dev/zero"],
                                        timeoutSeconds: 20, file: "x")
        #expect(run.succeeded)
        #expect(run.output.count == 1_048_576)
        #expect(run.errorOutput.count == 1_048_576)
    }

    @Test func inputChunksReachStandardInputInOrder() throws {
        let run = try FFmpegProcess.run("/bin/cat", [], input: [[1, 2, 3], [], [4, 5]], timeoutSeconds: 20, file: "x")
        #expect(Array(run.output) == [1, 2, 3, 4, 5])
    }

    @Test func childThatStopsReadingEarlyIsNoSIGPIPE() throws {
        // The child reads 10 bytes of 4 MiB and exits 3; the remaining writes fail with EPIPE
        // instead of killing the test process.
        let run = try FFmpegProcess.run("/bin/sh", ["-c", "head -c 10 >/dev/null; exit 3"],
                                        input: [[UInt8](repeating: 7, count: 4 << 20)], timeoutSeconds: 20, file: "x")
        #expect(run.status == 3)
        #expect(!run.succeeded)
    }

    @Test func firstErrorLineDropsFFmpegsContextAndFilePrefixes() {
        let run = FFmpegRun(status: 1, killedBySignal: false, output: Data(), errorOutput: Data("""

            [mov,mp4,m4a,3gp,3g2,mj2 @ 0x556ca2e894c0] moov atom not found
            file:/tmp/x.mp4: Invalid data found when processing input

            """.utf8))
        #expect(run.firstErrorLine == "moov atom not found")
        #expect(run.failureReason(.ffprobe) == "ffprobe failed: moov atom not found")
        let silent = FFmpegRun(status: 9, killedBySignal: true, output: Data(), errorOutput: Data())
        #expect(silent.failureReason(.ffmpeg) == "ffmpeg failed: killed by signal 9")
    }
}
