import ArgumentParser
import Foundation
import STCore

/// `stexplain demo`: the trained demo models explained on held-out synthetic samples, every run
/// with its report, and `OUT/index.html` linking them all (what `make demo` runs).
struct DemoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Explain and evaluate the demo models on held-out samples; write an index of the reports.",
        discussion: """
            Needs the demo models (models/, written by `make models`). Writes into OUT (replacing \
            it only when everything succeeded): the samples (clips/, skeletons/, odometry/), one \
            folder per run with its report.html, the evaluations under evaluate/, and \
            OUT/index.html linking every report. With --input, a video of your own is explained \
            too (by the MovingShapes model, which knows only its synthetic classes).

            Example: stexplain demo --out demo-out
            """)

    @Option(help: "Folder of the demo models.")
    var models = "models"

    @Option(help: "A video to explain as well.")
    var input: String?

    @Option(help: "Output directory.")
    var out = "demo-out"

    func run() throws {
        let files = FileManager.default
        let absolute = { (path: String) in URL(fileURLWithPath: path).standardizedFileURL.path }
        let work = absolute(out + ".tmp")
        try? files.removeItem(atPath: work)
        let demo = DemoRuns(models: absolute(models))
        let video = input.map(absolute)
        let origin = files.currentDirectoryPath
        do {
            try files.createDirectory(atPath: work, withIntermediateDirectories: true)
            // The runs name their inputs relative to the output (clips/inputs.npy), as they are
            // after the rename below.
            guard files.changeCurrentDirectoryPath(work) else {
                throw STError.badInput(file: work, reason: "cannot enter the output directory")
            }
            defer { _ = files.changeCurrentDirectoryPath(origin) }
            let sections = try demo.explanations(video: video)
            let evaluations = try demo.evaluations()
            let page = DemoIndex(sections: sections, evaluations: evaluations).html
            try OutputDirectory.write(work, files: ["index.html": Data(page.utf8)])
        } catch {
            try? files.removeItem(atPath: work)
            throw error
        }
        try? files.removeItem(atPath: out)
        try files.moveItem(atPath: work, toPath: out)
        print("wrote \(out)/index.html: open it in a browser")
    }
}
