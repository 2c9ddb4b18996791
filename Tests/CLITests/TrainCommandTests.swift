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

    @Test func timePoolingIsAChoiceOfTheCAMNetworkOnly() throws {
        let out = try temporaryDirectory().appendingPathComponent("r3d").path
        let result = try CommandRunner.run(["train", "--model", "r3d_18", "--no-time-pooling", "--data", "moving-shapes",
                                            "--out", out])
        #expect(result.status == 2)
        #expect(result.error.contains("--no-time-pooling applies to small_cam_net_3d only"))
        #expect(!FileManager.default.fileExists(atPath: out))
    }
}
