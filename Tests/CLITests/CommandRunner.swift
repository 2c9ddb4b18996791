import Foundation
import STCore
import STIO

/// Runs the built `stexplain` executable (beside the test bundle) and captures its output.
struct CommandRunner {
    struct Result {
        let status: Int32
        let output: String
        let error: String
    }

    static var executable: URL {
        var directory = Bundle.main.bundleURL
        while !FileManager.default.fileExists(atPath: directory.appendingPathComponent("stexplain").path),
              directory.pathComponents.count > 1 {
            directory.deleteLastPathComponent()
        }
        return directory.appendingPathComponent("stexplain")
    }

    /// `stexplain arguments`, not started yet; `inCI` sets `CI` (no progress output), otherwise
    /// `CI` is removed.
    static func process(_ arguments: [String], inCI: Bool = true) -> Process {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        var environment = ProcessInfo.processInfo.environment
        environment["CI"] = inCI ? "1" : nil
        process.environment = environment
        return process
    }

    static func run(_ arguments: [String]) throws -> Result {
        let process = process(arguments)
        let output = Pipe(), error = Pipe()
        process.standardOutput = output
        process.standardError = error
        try process.run()
        let outputData = output.fileHandleForReading.readDataToEndOfFile()
        let errorData = error.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Result(status: process.terminationStatus, output: String(decoding: outputData, as: UTF8.self),
                      error: String(decoding: errorData, as: UTF8.self))
    }

    /// `count` test skeletons of `stexplain data --data skeleton-actions` as one `.npy` file each
    /// (`s0.npy`, …, with their batch axis of 1) in `directory/data`, and `directory/data/list.csv`
    /// listing them with their labels; returns the manifest's path.
    static func skeletonManifest(count: Int, in directory: URL) throws -> String {
        let data = directory.appendingPathComponent("data").path
        let made = try run(["data", "--data", "skeleton-actions", "--count", "\(count)", "--out", data])
        guard made.status == 0 else { throw STError.badInput(file: data, reason: made.error) }
        let inputs = try NPY.read(path: data + "/inputs.npy"), labels = try NPY.read(path: data + "/labels.npy").scalars
        let size = inputs.count / count
        var lines = ["path,label"]
        for n in 0..<count {
            let sample = Tensor(shape: [1] + inputs.shape.dropFirst(), scalars: Array(inputs.scalars[(n * size)..<((n + 1) * size)]))
            try NPY.write(sample, to: "\(data)/s\(n).npy")
            lines.append("s\(n).npy,\(Int(labels[n]))")
        }
        let manifest = data + "/list.csv"
        try lines.joined(separator: "\n").write(toFile: manifest, atomically: true, encoding: .utf8)
        return manifest
    }
}
