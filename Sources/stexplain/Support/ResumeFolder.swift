import Foundation
import STCore
import STIO

/// `OUT/.resume/`: what a dataset run (`evaluate`, `explain --manifest`) has finished so far, so
/// that `--resume` computes only what is missing.
///
/// It holds `command.json`, the options that decide the results (model, data, methods, metrics,
/// settings; not `--out`, `--quiet` or `--json`), and the run's own records. Every record is
/// written atomically (a temporary name, then a rename), so a run killed at any instant leaves
/// each record either complete or absent; the temporaries a killed run left are removed when the
/// folder is opened again. A run without `--resume` starts the folder afresh; `--resume` into a
/// folder written by a different command stops with one line naming the options that differ.
struct ResumeFolder {
    let path: String

    /// Opens `out/.resume`, starting it afresh unless `resume` is set and it holds a run of the
    /// same `command`. Returns whether finished work was found to continue from.
    static func open(out: String, command: [String: String], resume: Bool) throws -> (ResumeFolder, resumed: Bool) {
        let folder = ResumeFolder(path: "\(out)/.resume")
        let manager = FileManager.default
        var resumed = false
        if resume, let previous: [String: String] = try folder.read("command.json") {
            let changed = Set(previous.keys).union(command.keys).sorted().filter { previous[$0] != command[$0] }
            guard changed.isEmpty else {
                let differences = changed.map { "\($0) was '\(previous[$0] ?? "")', now '\(command[$0] ?? "")'" }
                throw STError.invalidRequest("\(out) holds a run of another command (\(differences.joined(separator: "; "))); "
                                             + "cannot --resume into it: choose another --out or drop --resume to start over")
            }
            resumed = true
        } else if manager.fileExists(atPath: folder.path) {
            try? manager.removeItem(atPath: folder.path)
        }
        do {
            try manager.createDirectory(atPath: folder.path, withIntermediateDirectories: true)
        } catch {
            throw STError.badInput(file: out, reason: "cannot create the output directory")
        }
        folder.removeTemporaries()
        if !resumed { try folder.write(command, to: "command.json") }
        return (folder, resumed)
    }

    /// The record `name` decoded, nil when it was never written.
    func read<Value: Decodable>(_ name: String) throws -> Value? {
        let file = "\(path)/\(name)"
        guard let data = FileManager.default.contents(atPath: file) else { return nil }
        do {
            return try Self.decoder.decode(Value.self, from: data)
        } catch {
            throw STError.badInput(file: file, reason: "unreadable resume record (\(error)); drop --resume to start over")
        }
    }

    /// Writes the record `name` atomically.
    func write<Value: Encodable>(_ value: Value, to name: String) throws {
        try AtomicFileWriter.write(try Self.encoder.encode(value), to: "\(path)/\(name)")
    }

    /// Whether the record `name` exists.
    func contains(_ name: String) -> Bool {
        FileManager.default.fileExists(atPath: "\(path)/\(name)")
    }

    /// Removes what a killed run was writing: `AtomicFileWriter`'s `.NAME.tmp-PID` files.
    private func removeTemporaries() {
        for name in (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? [] where name.hasPrefix(".") && name.contains(".tmp-") {
            try? FileManager.default.removeItem(atPath: "\(path)/\(name)")
        }
    }

    /// Doubles as their shortest round-tripping decimal, so a resumed run continues from exactly
    /// the sums it stopped at; non-finite values as strings.
    private static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        encoder.outputFormatting = [.sortedKeys]
        return encoder
    }()

    private static let decoder: JSONDecoder = {
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return decoder
    }()
}
