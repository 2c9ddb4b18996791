import Foundation
import STCore
import STData
import STIO

/// The labelled samples `stexplain evaluate` scores: a built-in synthetic dataset (with ground
/// truth), a manifest of files (`path,label` per line; `.npy` samples or NTU `.skeleton` files),
/// or a folder of NTU `.skeleton` files labelled by their action code (`…A043.skeleton` → 42).
enum EvaluationInputs {
    case dataset(any LabeledDataset)
    case files([(path: String, label: Int)], skeletonFrames: Int)

    var count: Int {
        switch self {
        case .dataset(let dataset): dataset.count
        case .files(let files, _): files.count
        }
    }

    var classNames: [String] {
        switch self {
        case .dataset(let dataset): dataset.classNames
        case .files: []
        }
    }

    /// Samples `range` stacked: inputs (N, …), labels, and ground truth when the source has it.
    func batch(_ range: Range<Int>) throws -> Batch {
        switch self {
        case .dataset(let dataset):
            return dataset.batch(indices: Array(range))
        case .files(let files, let frames):
            let samples = try files[range].map { try Self.load($0.path, skeletonFrames: frames) }
            guard let shape = samples.first?.shape, samples.allSatisfy({ $0.shape == shape }) else {
                let odd = zip(files[range], samples).first { $0.1.shape != samples[0].shape }
                throw STError.badInput(file: odd?.0.path ?? "manifest", reason: "sample of shape \(odd?.1.shape ?? []) differs "
                                       + "from the first sample's \(samples.first?.shape ?? [])")
            }
            return Batch(inputs: Tensor(shape: [samples.count] + shape.dropFirst(), scalars: samples.flatMap(\.scalars)),
                         labels: files[range].map(\.label))
        }
    }

    /// One sample with a batch axis of 1: a `.skeleton` file padded or cut to `skeletonFrames`, or a
    /// `.npy` array with or without its batch axis.
    static func load(_ path: String, skeletonFrames: Int) throws -> Tensor {
        if path.hasSuffix(".skeleton") {
            return try NTUSkeleton.read(contentsOf: URL(fileURLWithPath: path)).tensor(frames: skeletonFrames)
        }
        let tensor = try NPY.read(path: path)
        if tensor.rank >= 1, tensor.shape[0] == 1, tensor.rank >= 4 { return tensor }
        return tensor.reshaped([1] + tensor.shape)
    }

    /// One line of a manifest: a file, its class and, for videos, where the clip starts.
    struct ManifestEntry {
        let path: String
        let label: Int
        /// Seconds into a video (the optional third field).
        let start: Double?
    }

    /// `path,label[,start]` lines (a header line without a numeric label is skipped; paths relative
    /// to the manifest's folder).
    static func manifest(_ path: String) throws -> [ManifestEntry] {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw STError.badInput(file: path, reason: "cannot read the manifest")
        }
        let folder = (path as NSString).deletingLastPathComponent
        var files: [ManifestEntry] = []
        for (number, line) in text.split(whereSeparator: \.isNewline).enumerated() {
            let fields = line.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
            let start = fields.count > 2 ? Double(fields[2]) : nil
            guard (2...3).contains(fields.count), let label = Int(fields[1]), label >= 0, fields.count == 2 || (start ?? -1) >= 0 else {
                if number == 0 { continue }
                throw STError.badInput(file: path, reason: "line \(number + 1): expected 'path,label[,start]', got '\(line)'")
            }
            let file = fields[0].hasPrefix("/") || folder.isEmpty ? fields[0] : "\(folder)/\(fields[0])"
            files.append(ManifestEntry(path: file, label: label, start: start))
        }
        guard !files.isEmpty else { throw STError.badInput(file: path, reason: "the manifest lists no samples") }
        return files
    }

    /// The `.skeleton` files of an NTU RGB+D folder, sorted by name, labelled by the action code
    /// `Axxx` of the file name (1-based in NTU, 0-based here).
    static func ntuFolder(_ path: String) throws -> [(path: String, label: Int)] {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: path) else {
            throw STError.badInput(file: path, reason: "cannot list the folder")
        }
        let files = try names.filter { $0.hasSuffix(".skeleton") }.sorted().map { name -> (path: String, label: Int) in
            guard let range = name.range(of: #"A(\d{3})"#, options: .regularExpression),
                  let action = Int(name[range].dropFirst()), action >= 1 else {
                throw STError.badInput(file: "\(path)/\(name)", reason: "no action code Axxx in the file name")
            }
            return ("\(path)/\(name)", action - 1)
        }
        guard !files.isEmpty else { throw STError.badInput(file: path, reason: "no .skeleton files") }
        return files
    }
}
