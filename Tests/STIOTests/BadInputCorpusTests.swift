import Foundation
import Testing
import STCore
import TestSupport
@testable import STIO

/// One row of Tests/Fixtures/bad-inputs/expected.tsv (written by scripts/make-bad-inputs.sh): a
/// malformed file, the reader that must reject it and a substring of the error it must give.
struct BadInputCase: Sendable, CustomTestStringConvertible {
    /// The corpus folder, beside this suite's folder.
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/bad-inputs")

    /// The file name inside `folder`.
    let file: String
    /// Which reader the file goes to (see `read()`).
    let parser: String
    /// A substring of the error's reason.
    let expected: String

    var path: String { Self.folder.appendingPathComponent(file).path }
    var testDescription: String { "\(file) → \(parser)" }

    /// The manifest's rows; empty if it cannot be read (`manifestListsEveryCorpusFile` then fails).
    static let all: [BadInputCase] = {
        guard let text = try? String(contentsOf: folder.appendingPathComponent("expected.tsv"), encoding: .utf8) else {
            return []
        }
        return text.split(separator: "\n").filter { !$0.hasPrefix("#") }.map { line in
            let columns = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            return BadInputCase(file: columns[0], parser: columns.count > 1 ? columns[1] : "",
                                expected: columns.count > 2 ? columns[2] : "")
        }
    }()

    /// The readers the manifest names.
    static let parsers = ["onnx", "safetensors", "npy", "npz", "ntu-skeleton", "skeleton-array",
                          "video-probe", "video-read"]

    /// Runs the reader on the file (its result is never expected: every case must throw).
    func read() throws {
        switch parser {
        case "onnx": _ = try ONNXImporter.read(path: path)
        case "safetensors": _ = try SafeTensors.read(path: path)
        case "npy": _ = try NPY.read(path: path)
        case "npz": _ = try NPZ.read(path: path)
        case "ntu-skeleton": _ = try NTUSkeleton.read(contentsOf: URL(fileURLWithPath: path))
        case "skeleton-array": _ = try SkeletonArray.read(path: path, joints: NTUSkeleton.jointCount)
        case "video-probe": _ = try VideoProbe.probe(path, tools: FFmpegTools(timeoutSeconds: 30))
        case "video-read": _ = try VideoReader.read(path, tools: FFmpegTools(timeoutSeconds: 30))
        default: Issue.record("unknown parser '\(parser)' in expected.tsv")
        }
    }
}

/// The bad-input corpus (issue 8, "Robustness"): every malformed file is rejected with one
/// `STError.badInput` that names the file and the problem on one line, and reading leaves the file
/// as it was.
@Suite("Bad-input corpus")
struct BadInputCorpusTests {
    @Test(arguments: BadInputCase.all)
    func malformedFileIsRejectedWithItsPathAndReasonAndLeftUnchanged(_ badInput: BadInputCase) throws {
        let before = try Data(contentsOf: URL(fileURLWithPath: badInput.path))
        let error = expectError(.badInput, about: badInput.path, mentioning: badInput.path, badInput.expected) {
            try badInput.read()
        }
        #expect(error?.description.contains("\n") != true, "the message spans several lines: \(error?.description ?? "")")
        let after = try Data(contentsOf: URL(fileURLWithPath: badInput.path))
        #expect(after == before, "reading changed \(badInput.file)")
    }

    /// At least 30 cases, each with a known parser and an expected reason, and no corpus file
    /// left out of the manifest.
    @Test func manifestListsEveryCorpusFile() throws {
        let cases = BadInputCase.all
        #expect(cases.count >= 30)
        for badInput in cases {
            #expect(BadInputCase.parsers.contains(badInput.parser),
                    "\(badInput.file): unknown parser '\(badInput.parser)'")
            #expect(!badInput.expected.trimmingCharacters(in: .whitespaces).isEmpty,
                    "\(badInput.file) has no expected error")
        }
        let files = try FileManager.default.contentsOfDirectory(atPath: BadInputCase.folder.path)
            .filter { $0 != "expected.tsv" }
        #expect(Set(files) == Set(cases.map(\.file)))
    }
}
