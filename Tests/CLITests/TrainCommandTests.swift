import Foundation
import Testing
import STIO
import TestSupport

@Suite struct TrainCommandTests {
    /// A CAM network trained with `--no-time-pooling` records the choice in its weights file, so
    /// `explain --model DIR` rebuilds it and its map keeps all 16 frames (8 × 8 of a 32 × 32 clip).
    @Test func aCAMNetworkWithoutTimePoolingKeepsEveryFrame() throws {
        let directory = try temporaryDirectory()
        let model = directory.appendingPathComponent("cam").path
        let trained = try CommandRunner.run(["train", "--model", "small_cam_net_3d", "--width", "0.125", "--no-time-pooling",
                                             "--data", "moving-shapes", "--train-count", "8", "--validation-count", "8",
                                             "--test-count", "8", "--epochs", "1", "--out", model])
        #expect(trained.status == 0, "\(trained.error)")
        let metadata = try #require(try SafeTensors.read(path: model + "/model.safetensors").metadata["stexplain.model"])
        #expect(metadata.contains("\"poolsTime\":false"))
        let clips = directory.appendingPathComponent("clips").path
        #expect(try CommandRunner.run(["data", "--data", "moving-shapes", "--count", "1", "--out", clips]).status == 0)
        let out = directory.appendingPathComponent("out").path
        let explained = try CommandRunner.run(["explain", "--model", model, "--input", clips + "/inputs.npy", "--out", out])
        #expect(explained.status == 0, "\(explained.error)")
        #expect(try NPY.read(path: out + "/map.npy").shape == [1, 16, 8, 8])
    }

    /// A divided-attention video transformer records depth, heads, tubelet and attention in its
    /// weights file, so `explain --model DIR` rebuilds it: Grad-CAM at its default layer (the last
    /// block's input) is a map on the 4 × 4 × 4 token grid of 4 × 8 × 8 tubelets.
    @Test func aVideoTransformerIsRebuiltFromItsWeightsFile() throws {
        let directory = try temporaryDirectory()
        let model = directory.appendingPathComponent("vit").path
        let trained = try CommandRunner.run(["train", "--model", "video_transformer", "--width", "0.03125", "--depth", "2",
                                             "--heads", "2", "--tubelet", "4,8,8", "--attention", "divided",
                                             "--data", "moving-shapes", "--train-count", "8", "--validation-count", "8",
                                             "--test-count", "8", "--epochs", "1", "--out", model])
        #expect(trained.status == 0, "\(trained.error)")
        let metadata = try #require(try SafeTensors.read(path: model + "/model.safetensors").metadata["stexplain.model"])
        for fragment in ["\"attention\":\"divided\"", "\"depth\":2", "\"heads\":2", "\"tubelet\":[4,8,8]"] {
            #expect(metadata.contains(fragment), "\(metadata)")
        }
        let clips = directory.appendingPathComponent("clips").path
        #expect(try CommandRunner.run(["data", "--data", "moving-shapes", "--count", "1", "--out", clips]).status == 0)
        let out = directory.appendingPathComponent("out").path
        let explained = try CommandRunner.run(["explain", "--model", model, "--input", clips + "/inputs.npy",
                                               "--method", "gradcam", "--out", out])
        #expect(explained.status == 0, "\(explained.error)")
        #expect(try NPY.read(path: out + "/map.npy").shape == [1, 4, 4, 4])
    }

    @Test func transformerSizesAreChoicesOfTheVideoTransformerOnly() throws {
        let out = try temporaryDirectory().appendingPathComponent("r3d").path
        let result = try CommandRunner.run(["train", "--model", "r3d_18", "--attention", "divided", "--data", "moving-shapes",
                                            "--out", out])
        #expect(result.status == 2)
        #expect(result.error.contains("--depth, --heads, --tubelet and --attention apply to video_transformer only"))
        let malformed = try CommandRunner.run(["train", "--model", "video_transformer", "--tubelet", "4,4",
                                               "--data", "moving-shapes", "--out", out])
        #expect(malformed.status == 2)
        #expect(malformed.error.contains("--tubelet takes three positive sizes"))
        #expect(!FileManager.default.fileExists(atPath: out))
    }

    @Test func timePoolingIsAChoiceOfTheCAMNetworkOnly() throws {
        let out = try temporaryDirectory().appendingPathComponent("r3d").path
        let result = try CommandRunner.run(["train", "--model", "r3d_18", "--no-time-pooling", "--data", "moving-shapes",
                                            "--out", out])
        #expect(result.status == 2)
        #expect(result.error.contains("--no-time-pooling applies to small_cam_net_3d only"))
        #expect(!FileManager.default.fileExists(atPath: out))
    }
}
