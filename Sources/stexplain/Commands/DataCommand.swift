import ArgumentParser
import Foundation
import STCore
import STData
import STIO

/// `stexplain data`: writes samples of a built-in synthetic dataset as `.npy` files, to explain
/// or evaluate them with other commands or tools.
struct DataCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "data",
        abstract: "Export samples of a synthetic dataset as .npy files.",
        discussion: """
            Writes OUT/inputs.npy (N × sample shape), OUT/labels.npy (N), and when the dataset has \
            them OUT/masks.npy (ground-truth masks, e.g. N × T × H × W voxels of the deciding object) \
            and OUT/targets.npy (regression targets). The same split, count and seed as \
            `stexplain train` reproduce its samples.

            Example: stexplain data --data moving-shapes --split test --count 16 --seed 1 --out out/clips
            """)

    @Option(help: "Dataset: \(DatasetCatalog.names.joined(separator: ", ")).")
    var data: String

    @Option(help: "Split: train, validation or test.")
    var split = "test"

    @Option(help: "Number of samples.")
    var count = 16

    @Option(help: "Dataset seed.")
    var seed: UInt64 = 1

    @Option(help: "Output directory.")
    var out: String

    func run() throws {
        let chosen = try Split(named: split)
        let dataset = try DatasetCatalog.dataset(data, split: chosen, count: count, seed: seed)
        let batch = dataset.batch(indices: Array(0..<dataset.count))
        var files = ["inputs.npy": NPY.encode(batch.inputs),
                     "labels.npy": NPY.encode(Tensor(shape: [batch.labels.count], scalars: batch.labels.map(Float.init)))]
        if let masks = batch.masks { files["masks.npy"] = NPY.encode(masks) }
        if let targets = batch.targets { files["targets.npy"] = NPY.encode(targets) }
        try OutputDirectory.write(out, files: files)
    }
}
