import Foundation
import Testing
import STCore
import STIO
import STModels
import TestSupport

/// `stexplain explain` end to end: files, summary fields, exit codes, and no output on errors.
@Suite struct ExplainCommandTests {
    func writeClip(_ directory: URL, shape: [Int] = [2, 3, 4, 16, 16]) throws -> String {
        let path = directory.appendingPathComponent("clip.npy").path
        try NPY.write(Tensor.randomNormal(shape: shape, seed: 1), to: path)
        return path
    }

    @Test func writesMapAttributionAndSummary() throws {
        let directory = try temporaryDirectory()
        let clip = try writeClip(directory)
        let out = directory.appendingPathComponent("out").path
        let result = try CommandRunner.run(["explain", "--model", "small_cam_net_3d", "--random-weights", "--input", clip,
                                            "--method", "gradcam++", "--target", "1", "--out", out])
        #expect(result.status == 0, "\(result.error)")
        #expect(try NPY.read(path: out + "/map.npy").shape == [2, 1, 4, 4])
        #expect(try NPY.read(path: out + "/attribution.npy").shape == [2, 4, 16, 16])
        let summary = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out + "/summary.json"))) as! [String: Any]
        #expect(summary["method"] as? String == "gradcam++")
        #expect(summary["layer"] as? String == "features.10")
        #expect(summary["target"] as? [Int] == [1, 1])
        #expect((summary["score"] as? [Double])?.count == 2)
        #expect((summary["topk"] as? [[Any]])?.first?.count == 5)
        #expect(summary["input_shape"] as? [Int] == [2, 3, 4, 16, 16])
        #expect(summary["map_shape"] as? [Int] == [2, 1, 4, 4])
        #expect(summary["seconds"] is Double)
    }

    /// `--methods` is `--method`'s other name; each method's settings reach its explainer (here
    /// integrated gradients' steps and quadrature, whose completeness error summary.json reports);
    /// `--verbose` adds what was loaded and each method's time.
    @Test func methodSettingsReachTheirExplainers() throws {
        let directory = try temporaryDirectory()
        let clip = try writeClip(directory, shape: [1, 3, 4, 16, 16])
        let out = directory.appendingPathComponent("out").path
        let result = try CommandRunner.run(["explain", "--model", "small_cam_net_3d", "--random-weights", "--input", clip,
                                            "--methods", "integrated-gradients,gradcam", "--steps", "3",
                                            "--integration", "riemann_middle", "--layer", "features.6", "--verbose",
                                            "--out", out])
        #expect(result.status == 0, "\(result.error)")
        #expect(result.error.contains("model small_cam_net_3d: "), "\(result.error)")
        #expect(result.error.contains("integrated-gradients: "), "\(result.error)")
        let read = { (method: String) in
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: "\(out)/\(method)/summary.json"))) as! [String: Any]
        }
        let integrated = try read("integrated-gradients")
        #expect(integrated["convergence_delta"] is Double)
        #expect(try read("gradcam")["layer"] as? String == "features.6")
        #expect(try read("gradcam")["convergence_delta"] == nil)
    }

    /// Pictures of the first sample: the input and overlay rows, one PNG per frame; lrp-st adds
    /// seed 002's figure.
    @Test func writesOverlayPicturesAndTheSplitFigure() throws {
        let directory = try temporaryDirectory()
        let clip = try writeClip(directory)
        for method in ["gradcam", "lrp-st"] {
            let out = directory.appendingPathComponent(method).path
            let result = try CommandRunner.run(["explain", "--model", "small_cam_net_3d", "--random-weights", "--input", clip,
                                                "--method", method, "--out", out])
            #expect(result.status == 0, "\(result.error)")
            let png = try Data(contentsOf: URL(fileURLWithPath: out + "/overlay.png"))
            #expect(png.prefix(8) == Data([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))
            #expect(try FileManager.default.contentsOfDirectory(atPath: out + "/frames").sorted()
                    == ["0000.png", "0001.png", "0002.png", "0003.png"])
            #expect(FileManager.default.fileExists(atPath: out + "/figure.png") == (method == "lrp-st"))
        }
    }

    /// A video goes through ffmpeg with the Kinetics preset (128×171 → 112×112 crop): the input
    /// is 1 × 3 × 8 × 112 × 112, and the overlays come out as pictures, MP4 and GIF. A file that is
    /// not a video is one error line, exit 2, and no output.
    /// A manifest of videos (decoded several per ffmpeg process) gives each line the map a
    /// single-input run gives; a corrupt video among them is named in the one-line error.
    @Test func manifestOfVideosMatchesSingleRunsAndNamesACorruptOne() throws {
        let directory = try temporaryDirectory()
        var lines = ["path,label,start"]
        for (index, source) in ["testsrc=size=160x120:rate=10", "mandelbrot=size=160x120:rate=10", "smptebars=size=160x120:rate=10"].enumerated() {
            let ffmpeg = Process()
            ffmpeg.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            ffmpeg.arguments = ["ffmpeg", "-loglevel", "error", "-f", "lavfi", "-i", source, "-t", "2",
                                directory.appendingPathComponent("v\(index).mp4").path]
            try ffmpeg.run()
            ffmpeg.waitUntilExit()
            lines.append("v\(index).mp4,0,\(index == 1 ? "0.5" : "0")")
        }
        let manifest = directory.appendingPathComponent("videos.csv").path
        try lines.joined(separator: "\n").write(toFile: manifest, atomically: true, encoding: .utf8)
        let common = ["--model", "small_cam_net_3d", "--random-weights", "--frames", "8", "--no-pictures", "--quiet"]
        let out = directory.appendingPathComponent("out").path
        let all = try CommandRunner.run(["explain", "--manifest", manifest, "--out", out] + common)
        #expect(all.status == 0, "\(all.error)")
        for (index, start) in ["0", "0.5", "0"].enumerated() {
            let single = directory.appendingPathComponent("single\(index)").path
            let alone = try CommandRunner.run(["explain", "--input", directory.appendingPathComponent("v\(index).mp4").path,
                                               "--start", start, "--out", single] + common)
            #expect(alone.status == 0, "\(alone.error)")
            let map = { (folder: String) in FileManager.default.contents(atPath: folder + "/map.npy") }
            #expect(map(single) != nil && map(single) == map("\(out)/v\(index)"), "line \(index)")
        }
        try Data(repeating: 7, count: 300).write(to: directory.appendingPathComponent("v1.mp4"))
        let bad = try CommandRunner.run(["explain", "--manifest", manifest, "--out", directory.appendingPathComponent("bad").path] + common)
        #expect(bad.status == 2)
        #expect(bad.error.hasPrefix("error: \(directory.appendingPathComponent("v1.mp4").path): "), "\(bad.error)")
        #expect(bad.error.split(separator: "\n").count == 1)
        #expect(!FileManager.default.fileExists(atPath: directory.appendingPathComponent("bad").path))
    }

    @Test func explainsAVideoFileAndRefusesACorruptOne() throws {
        let directory = try temporaryDirectory()
        let video = directory.appendingPathComponent("clip.mp4").path
        let ffmpeg = Process()
        ffmpeg.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        ffmpeg.arguments = ["ffmpeg", "-loglevel", "error", "-f", "lavfi", "-i", "testsrc=size=160x120:rate=10", "-t", "2", video]
        try ffmpeg.run()
        ffmpeg.waitUntilExit()
        let out = directory.appendingPathComponent("out").path
        let result = try CommandRunner.run(["explain", "--model", "small_cam_net_3d", "--random-weights", "--input", video,
                                            "--frames", "8", "--out", out])
        #expect(result.status == 0, "\(result.error)")
        let summary = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out + "/summary.json"))) as! [String: Any]
        #expect(summary["input_shape"] as? [Int] == [1, 3, 8, 112, 112])
        for file in ["overlay.png", "overlay.mp4", "overlay.gif", "frames/0007.png", "frame_importance.svg"] {
            #expect(FileManager.default.fileExists(atPath: out + "/" + file), "\(file)")
        }
        let windows = directory.appendingPathComponent("windows").path
        let windowed = try CommandRunner.run(["explain", "--model", "small_cam_net_3d", "--random-weights", "--input", video,
                                              "--frames", "8", "--window-hop", "6", "--out", windows])
        #expect(windowed.status == 0, "\(windowed.error)")
        // 20 frames, windows of 8 every 6 frames: starts 0, 6, 12.
        let windowSummary = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: windows + "/summary.json"))) as! [String: Any]
        #expect(windowSummary["input_shape"] as? [Int] == [3, 3, 8, 112, 112])
        let corrupt = directory.appendingPathComponent("corrupt.mp4").path
        try Data(repeating: 7, count: 300).write(to: URL(fileURLWithPath: corrupt))
        let bad = try CommandRunner.run(["explain", "--model", "small_cam_net_3d", "--random-weights", "--input", corrupt,
                                         "--out", directory.appendingPathComponent("bad").path])
        #expect(bad.status == 2)
        #expect(bad.error.hasPrefix("error: \(corrupt): "))
        #expect(bad.error.split(separator: "\n").count == 1)
        #expect(!FileManager.default.fileExists(atPath: directory.appendingPathComponent("bad").path))
    }

    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/onnx")

    /// The torch.onnx.export fixture (a tiny R3D): its top logit is PyTorch's 0.298907 for class 3,
    /// and the default layer is the module before global pooling, `layer2`. A damaged file is
    /// one error line and exit 2.
    @Test func explainsAnONNXModelExportedByPyTorch() throws {
        let directory = try temporaryDirectory()
        let out = directory.appendingPathComponent("out").path
        let result = try CommandRunner.run(["explain", "--model", Self.fixtures.appendingPathComponent("tiny_r3d.onnx").path,
                                            "--input", Self.fixtures.appendingPathComponent("tiny_r3d_input.npy").path,
                                            "--method", "gradcam", "--out", out])
        #expect(result.status == 0, "\(result.error)")
        let summary = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out + "/summary.json"))) as! [String: Any]
        #expect(summary["layer"] as? String == "layer2")
        #expect(summary["target"] as? Int == 3)
        #expect(abs((summary["score"] as? Double ?? 0) - 0.29890695) < 1e-4)
        let damaged = directory.appendingPathComponent("damaged.onnx")
        try Data(try Data(contentsOf: Self.fixtures.appendingPathComponent("tiny_r3d.onnx")).prefix(500)).write(to: damaged)
        let bad = try CommandRunner.run(["explain", "--model", damaged.path, "--input",
                                         Self.fixtures.appendingPathComponent("tiny_r3d_input.npy").path,
                                         "--out", directory.appendingPathComponent("bad").path])
        #expect(bad.status == 2)
        #expect(bad.error.hasPrefix("error: \(damaged.path): "), "\(bad.error)")
        #expect(bad.error.split(separator: "\n").count == 1)
    }

    /// Skeletons get the joint × time heatmap and seed 000's pose figure (an SVG with one disc per
    /// joint in each of its four panels); attention models the per-frame attention chart.
    @Test func writesSkeletonFiguresAndTheAttentionChart() throws {
        let directory = try temporaryDirectory()
        let skeletons = directory.appendingPathComponent("skeletons.npy").path
        try NPY.write(Tensor.randomNormal(shape: [1, 3, 12, 25, 2], seed: 4), to: skeletons)
        let out = directory.appendingPathComponent("stgcn").path
        let result = try CommandRunner.run(["explain", "--model", "st_gcn", "--random-weights", "--input", skeletons, "--out", out])
        let frames = directory.appendingPathComponent("frames-joints-xyz.npy").path
        try NPY.write(Tensor.randomNormal(shape: [12, 25, 3], seed: 5), to: frames)
        let tvc = try CommandRunner.run(["explain", "--model", "st_gcn", "--random-weights", "--input", frames,
                                         "--skeleton-layout", "tvc", "--out", directory.appendingPathComponent("tvc").path, "--json"])
        #expect(tvc.status == 0, "\(tvc.error)")
        #expect(tvc.output.contains("\"input_shape\" : [\n    1,\n    3,\n    12,\n    25,\n    1\n  ]"))
        #expect(result.status == 0, "\(result.error)")
        #expect(FileManager.default.fileExists(atPath: out + "/joint_time.png"))
        let svg = try String(contentsOfFile: out + "/joints.svg", encoding: .utf8)
        #expect(svg.components(separatedBy: "<circle").count - 1 >= 4 * 25)
        let clip = try writeClip(directory, shape: [1, 3, 4, 32, 32])
        let attention = directory.appendingPathComponent("attention").path
        let run = try CommandRunner.run(["explain", "--model", "cnn_lstm_attention", "--random-weights", "--input", clip, "--out", attention])
        #expect(run.status == 0, "\(run.error)")
        #expect(FileManager.default.fileExists(atPath: attention + "/attention.svg"))
    }

    @Test func labelsFileGivesEachSampleItsOwnTarget() throws {
        let directory = try temporaryDirectory()
        let clip = try writeClip(directory)
        let labels = directory.appendingPathComponent("labels.npy").path
        try NPY.write(Tensor(shape: [2], scalars: [3, 0]), to: labels)
        let out = directory.appendingPathComponent("out").path
        let result = try CommandRunner.run(["explain", "--model", "small_cam_net_3d", "--random-weights", "--input", clip,
                                            "--target", "labels:" + labels, "--out", out])
        #expect(result.status == 0, "\(result.error)")
        let summary = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out + "/summary.json"))) as! [String: Any]
        #expect(summary["target"] as? [Int] == [3, 0])
    }

    @Test(arguments: [
        (["--layer", "features.99"], "no layer named 'features.99'; nearest:"),
        (["--target", "10"], "target class 10 is out of range"),
        (["--target", "translation"], "a regression target needs a regression model"),
        (["--method", "grad-cam"], "The value 'grad-cam' is invalid for '--method <method>'. Please provide one of the following: cam, gradcam,"),
        (["--methods", "gradcam,lrp", "--composite", "zennit"], "The value 'zennit' is invalid for '--composite <composite>'."),
        (["--method", "occlusion", "--window", "2,0,4"], "--window takes positive integers separated by commas, got '2,0,4'"),
    ])
    func badRequestsExitWithCode2AndOneLine(arguments: [String], message: String) throws {
        let directory = try temporaryDirectory()
        let clip = try writeClip(directory)
        let out = directory.appendingPathComponent("out").path
        let result = try CommandRunner.run(["explain", "--model", "small_cam_net_3d", "--random-weights",
                                            "--input", clip, "--out", out] + arguments)
        #expect(result.status == 2)
        #expect(result.error.hasPrefix("error: " + message), "\(result.error)")
        #expect(result.error.split(separator: "\n").count == 1)
        #expect(!FileManager.default.fileExists(atPath: out))
    }

    @Test func badInputFilesAreNamedInTheError() throws {
        let directory = try temporaryDirectory()
        let notNPY = directory.appendingPathComponent("clip.npy").path
        try Data("not numpy".utf8).write(to: URL(fileURLWithPath: notNPY))
        let wrongRank = directory.appendingPathComponent("image.npy").path
        try NPY.write(Tensor(zeros: [1, 3, 16, 16]), to: wrongRank)
        for (input, reason) in [(notNPY, "not an .npy file"), (wrongRank, "does not fit small_cam_net_3d"),
                                (directory.appendingPathComponent("missing.npy").path, "no such file")] {
            let result = try CommandRunner.run(["explain", "--model", "small_cam_net_3d", "--random-weights",
                                                "--input", input, "--out", directory.appendingPathComponent("out").path])
            #expect(result.status == 2)
            #expect(result.error.hasPrefix("error: \(input): "), "\(result.error)")
            #expect(result.error.contains(reason), "\(result.error)")
        }
        #expect(String(decoding: try Data(contentsOf: URL(fileURLWithPath: notNPY)), as: UTF8.self) == "not numpy")
    }
}

/// `--model ARCH --weights file.safetensors` with PyTorch-named weights and no metadata.
@Suite struct PyTorchWeightsTests {
    func writeWeights(_ directory: URL, extraKey: Bool) throws -> String {
        let spec = try ModelSpec(architecture: "small_cam_net_3d", classes: 6, inputShape: [1, 3, 4, 16, 16])
        var state = try spec.makeArchitecture().graph(seed: 4).stateDict
        if extraKey { state["head.extra.weight"] = Tensor(zeros: [2]) }
        let path = directory.appendingPathComponent("weights.safetensors").path
        try SafeTensors.write(state, to: path)
        return path
    }

    @Test func classCountComesFromTheHeadWeight() throws {
        let directory = try temporaryDirectory()
        let weights = try writeWeights(directory, extraKey: false)
        let clip = directory.appendingPathComponent("clip.npy").path
        try NPY.write(Tensor.randomNormal(shape: [1, 3, 4, 16, 16], seed: 2), to: clip)
        let out = directory.appendingPathComponent("out").path
        let result = try CommandRunner.run(["explain", "--model", "small_cam_net_3d", "--weights", weights,
                                            "--input", clip, "--method", "cam", "--target", "5", "--out", out])
        #expect(result.status == 0, "\(result.error)")
        let summary = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out + "/summary.json"))) as! [String: Any]
        #expect(summary["target"] as? Int == 5)
        #expect((summary["topk"] as? [Any])?.count == 5)
    }

    @Test func unexpectedKeysFailStrictlyAndWarnWhenNonStrict() throws {
        let directory = try temporaryDirectory()
        let weights = try writeWeights(directory, extraKey: true)
        let clip = directory.appendingPathComponent("clip.npy").path
        try NPY.write(Tensor.randomNormal(shape: [1, 3, 4, 16, 16], seed: 2), to: clip)
        let arguments = ["explain", "--model", "small_cam_net_3d", "--weights", weights, "--input", clip,
                         "--out", directory.appendingPathComponent("out").path]
        let strict = try CommandRunner.run(arguments)
        #expect(strict.status == 2)
        #expect(strict.error.contains("unexpected: head.extra.weight"), "\(strict.error)")
        let lenient = try CommandRunner.run(arguments + ["--non-strict"])
        #expect(lenient.status == 0, "\(lenient.error)")
        #expect(lenient.error.contains("warning: unexpected: head.extra.weight"), "\(lenient.error)")
    }
}
