import Foundation
import Testing
import STCore
import STIO
import TestSupport

/// Dataset runs that are killed (SIGKILL at three points, each followed by `--resume`) or
/// stopped (SIGINT, SIGTERM) end, once resumed, with the outputs of one uninterrupted run.
@Suite(.serialized) struct ResumeTests {
    static let stgcn = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("models/stgcn_small").path

    /// 16 skeletons in batches of 2, two methods: 16 checkpointed steps.
    static let evaluate = ["evaluate", "--model", stgcn, "--data", "skeleton-actions", "--count", "16", "--batch-size", "2",
                           "--methods", "gradcam,saliency", "--metrics", "masking,pointing-game", "--quiet"]

    /// Starts `stexplain` without waiting for it.
    static func start(_ arguments: [String]) throws -> Process {
        let process = CommandRunner.process(arguments)
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        return process
    }

    /// Runs `arguments` and kills the process (SIGKILL) as soon as `reached()` holds; returns
    /// whether it was killed before finishing on its own.
    static func kill(_ arguments: [String], when reached: () -> Bool) throws -> Bool {
        let process = try start(arguments)
        while process.isRunning && !reached() { usleep(5_000) }
        guard process.isRunning else { return false }
        Foundation.kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        return process.terminationReason == .uncaughtSignal
    }

    /// metrics.json without the timing fields (seconds, per-second rates).
    static func metricsWithoutTimings(_ directory: String) throws -> String {
        func strip(_ value: Any) -> Any {
            if let object = value as? [String: Any] {
                return object.filter { !$0.key.lowercased().contains("second") }.mapValues(strip)
            }
            if let list = value as? [Any] { return list.map(strip) }
            return value
        }
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: directory + "/metrics.json")))
        return String(decoding: try JSONSerialization.data(withJSONObject: strip(json), options: [.sortedKeys]), as: UTF8.self)
    }

    static func nextStep(_ out: String) -> Int {
        guard let data = FileManager.default.contents(atPath: out + "/.resume/evaluate.json"),
              let json = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else { return 0 }
        return json["nextStep"] as? Int ?? 0
    }

    /// Files a stopped run must never leave: temporaries of atomic writes.
    static func temporaries(in directory: String) -> [String] {
        (FileManager.default.enumerator(atPath: directory)?.allObjects as? [String] ?? []).filter { $0.contains(".tmp-") }
    }

    @Test func killedEvaluationResumesToTheUninterruptedResult() throws {
        let directory = try temporaryDirectory()
        let (whole, resumed) = (directory.appendingPathComponent("whole").path, directory.appendingPathComponent("resumed").path)
        let complete = try CommandRunner.run(Self.evaluate + ["--out", whole])
        #expect(complete.status == 0, "\(complete.error)")
        for point in [2, 7, 12] {  // inside the first method, at the switch to the second, inside the second
            let killed = try Self.kill(Self.evaluate + ["--out", resumed, "--resume"]) { Self.nextStep(resumed) >= point }
            #expect(killed, "the run ended before step \(point)")
            #expect(Self.nextStep(resumed) < 16)
            #expect(!FileManager.default.fileExists(atPath: resumed + "/metrics.json"))
        }
        // A write the kill interrupted: garbage under the temporary name is never read back.
        try Data("{\"nextStep\": 99".utf8).write(to: URL(fileURLWithPath: resumed + "/.resume/.evaluate.json.tmp-99999"))
        let finished = try CommandRunner.run(Self.evaluate + ["--out", resumed, "--resume"])
        #expect(finished.status == 0, "\(finished.error)")
        let (resumedMetrics, wholeMetrics) = (try Self.metricsWithoutTimings(resumed), try Self.metricsWithoutTimings(whole))
        #expect(resumedMetrics == wholeMetrics, "\(resumedMetrics)\n\(wholeMetrics)")
        #expect(Self.temporaries(in: resumed).isEmpty)
        #expect(try String(contentsOfFile: resumed + "/metrics.csv", encoding: .utf8).contains("gradcam,pointing_game,"))
    }

    @Test(arguments: [(SIGINT, Int32(130), "SIGINT"), (SIGTERM, 143, "SIGTERM")])
    func signalsStopCleanlyWithTheShellsExitCode(signal: Int32, status: Int32, name: String) throws {
        let out = try temporaryDirectory().appendingPathComponent("stopped").path
        let process = CommandRunner.process(Self.evaluate + ["--out", out])
        let error = Pipe()
        process.standardError = error
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        while process.isRunning && Self.nextStep(out) < 3 { usleep(5_000) }
        Foundation.kill(process.processIdentifier, signal)
        let message = String(decoding: error.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == status)
        #expect(message.hasPrefix("stopped by \(name):") && message.contains("--resume"), "\(message)")
        #expect(message.split(separator: "\n").count == 1)
        let kept = Self.nextStep(out)
        #expect(kept >= 3 && kept < 16)
        #expect(Self.temporaries(in: out).isEmpty)
        #expect(!FileManager.default.fileExists(atPath: out + "/metrics.json"))
    }

    @Test func aChangedCommandRefusesToResume() throws {
        let out = try temporaryDirectory().appendingPathComponent("run").path
        let killed = try Self.kill(Self.evaluate + ["--out", out]) { Self.nextStep(out) >= 1 }
        #expect(killed)
        let changed = Self.evaluate.map { $0 == "gradcam,saliency" ? "gradcam" : $0 }
        let refused = try CommandRunner.run(changed + ["--out", out, "--resume"])
        #expect(refused.status == 2)
        #expect(refused.error.contains("--methods was 'gradcam,saliency', now 'gradcam'"), "\(refused.error)")
        #expect(refused.error.split(separator: "\n").count == 1)
        #expect(Self.nextStep(out) >= 1)
    }

    @Test func killedManifestRunResumesToTheUninterruptedResult() throws {
        let directory = try temporaryDirectory()
        let manifest = try CommandRunner.skeletonManifest(count: 12, in: directory)
        let explain = ["explain", "--model", Self.stgcn, "--manifest", manifest, "--method", "gradcam,saliency",
                       "--target", "label", "--quiet"]
        let (whole, resumed) = (directory.appendingPathComponent("whole").path, directory.appendingPathComponent("resumed").path)
        let complete = try CommandRunner.run(explain + ["--out", whole, "--json"])
        #expect(complete.status == 0, "\(complete.error)")
        let records = { (try? FileManager.default.contentsOfDirectory(atPath: resumed + "/.resume"))?.filter { $0.hasPrefix("line-") }.count ?? 0 }
        for point in [1, 5, 9] {
            let killed = try Self.kill(explain + ["--out", resumed, "--resume"]) { records() >= point }
            #expect(killed, "the run ended before line \(point)")
        }
        #expect(records() < 12)
        let finished = try CommandRunner.run(explain + ["--out", resumed, "--resume", "--json"])
        #expect(finished.status == 0, "\(finished.error)")
        let read = { (root: String, name: String) in try String(contentsOfFile: "\(root)/\(name)", encoding: .utf8) }
        #expect(try read(resumed, "joint_importance.json") == read(whole, "joint_importance.json"))
        #expect(try read(resumed, "index.html") == read(whole, "index.html"))
        let folders = { (root: String) in
            try FileManager.default.contentsOfDirectory(atPath: root).filter { $0.hasPrefix("s") }.sorted()
        }
        #expect(try folders(resumed) == folders(whole) && folders(whole).count == 12)
        for line in ["s0", "s6", "s11"] {
            let map = { (root: String) in FileManager.default.contents(atPath: "\(root)/\(line)/gradcam/map.npy") }
            #expect(map(resumed) != nil && map(resumed) == map(whole))
        }
        #expect(Self.temporaries(in: resumed).isEmpty)
        let summaries = { (text: String) in
            (try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [[String: Any]])?.map { "\($0["input"] ?? "")|\($0["method"] ?? "")" }
        }
        #expect(try summaries(finished.output) == summaries(complete.output))
        #expect(try summaries(complete.output)?.count == 24)
    }
}

/// Dataset runs log one line per tenth of the work when standard error is a file (not in CI).
@Suite struct ProgressLogTests {
    @Test func manifestRunLogsEveryTenth() throws {
        let directory = try temporaryDirectory()
        let manifest = try CommandRunner.skeletonManifest(count: 10, in: directory)
        let process = CommandRunner.process(["explain", "--model", ResumeTests.stgcn, "--manifest", manifest, "--no-pictures",
                                             "--out", directory.appendingPathComponent("out").path], inCI: false)
        let error = Pipe()
        process.standardError = error
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let log = String(decoding: error.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "\(log)")
        let progress = log.split(separator: "\n").filter { $0.hasPrefix("explain:") }
        #expect(progress.count == 10, "\(log)")
        #expect(progress.first?.hasPrefix("explain:  10%  1/10 inputs") == true, "\(log)")
        #expect(progress.last?.hasPrefix("explain: 100%  10/10 inputs") == true, "\(log)")
        #expect(!log.contains("\u{1B}["))
        let summary = directory.appendingPathComponent("out/s0/summary.json").path
        #expect(FileManager.default.fileExists(atPath: summary))
        #expect(!FileManager.default.fileExists(atPath: directory.appendingPathComponent("out/s0/report.html").path))
        let index = try String(contentsOfFile: directory.appendingPathComponent("out/index.html").path, encoding: .utf8)
        #expect(index.contains("href=\"s0/summary.json\""))
    }
}
