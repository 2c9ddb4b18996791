import Foundation
import Testing
import STCore
import STIO
import STModels

/// `stexplain explain` end to end: files, summary fields, exit codes, and no output on errors.
@Suite struct ExplainCommandTests {
    func writeClip(_ directory: URL, shape: [Int] = [2, 3, 4, 16, 16]) throws -> String {
        let path = directory.appendingPathComponent("clip.npy").path
        try NPY.write(Tensor.randomNormal(shape: shape, seed: 1), to: path)
        return path
    }

    @Test func writesMapAttributionAndSummary() throws {
        let directory = try CommandRunner.temporaryDirectory()
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

    /// Pictures of the first sample: the input and overlay rows, one PNG per frame; lrp-st adds
    /// seed 002's figure.
    @Test func writesOverlayPicturesAndTheSplitFigure() throws {
        let directory = try CommandRunner.temporaryDirectory()
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

    @Test func labelsFileGivesEachSampleItsOwnTarget() throws {
        let directory = try CommandRunner.temporaryDirectory()
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
        (["--method", "grad-cam"], "unknown method 'grad-cam'"),
    ])
    func badRequestsExitWithCode2AndOneLine(arguments: [String], message: String) throws {
        let directory = try CommandRunner.temporaryDirectory()
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
        let directory = try CommandRunner.temporaryDirectory()
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
        let directory = try CommandRunner.temporaryDirectory()
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
        let directory = try CommandRunner.temporaryDirectory()
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
