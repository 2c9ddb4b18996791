import Foundation
import Testing
import STCore
import STIO
import TestSupport

/// Several methods in one `explain` run, manifests, and the HTML reports: every file a page links
/// to exists, and the shared forward pass gives each method exactly what it gives alone.
@Suite struct ReportTests {
    /// `src`/`href` targets of a page and the first frame of each slider-driven picture.
    static func linkedFiles(of page: String) throws -> [String] {
        let html = try String(contentsOfFile: page, encoding: .utf8)
        let pattern = try NSRegularExpression(pattern: ##"(src|href|data-frames)="([^"#]+)""##)
        return pattern.matches(in: html, range: NSRange(html.startIndex..., in: html)).map { match in
            let kind = String(html[Range(match.range(at: 1), in: html)!])
            let target = String(html[Range(match.range(at: 2), in: html)!])
            return kind == "data-frames" ? target + "0000.png" : target
        }
    }

    static func expectLinksExist(_ page: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> [String] {
        let links = try linkedFiles(of: page)
        let folder = (page as NSString).deletingLastPathComponent
        for link in links {
            #expect(!link.contains("://"), "\(page) links to the network: \(link)", sourceLocation: sourceLocation)
            #expect(FileManager.default.fileExists(atPath: folder + "/" + link), "\(page): missing \(link)", sourceLocation: sourceLocation)
        }
        return links
    }

    @Test func severalMethodsShareARunAndEachEqualsItsOwnRun() throws {
        let directory = try temporaryDirectory()
        let clip = directory.appendingPathComponent("clip.npy").path
        try NPY.write(Tensor.randomNormal(shape: [1, 3, 4, 16, 16], seed: 2), to: clip)
        let out = directory.appendingPathComponent("all").path
        let common = ["--model", "small_cam_net_3d", "--random-weights", "--input", clip, "--target", "2"]
        let result = try CommandRunner.run(["explain"] + common + ["--method", "gradcam,layercam,guided-backprop,lrp-st",
                                                                   "--json", "--out", out])
        #expect(result.status == 0, "\(result.error)")
        let summaries = try JSONSerialization.jsonObject(with: Data(result.output.utf8)) as? [[String: Any]]
        #expect(summaries?.compactMap { $0["method"] as? String } == ["gradcam", "layercam", "guided-backprop", "lrp-st"])
        let links = try Self.expectLinksExist(out + "/report.html")
        for expected in ["input/0000.png", "gradcam/frames/0000.png", "gradcam/overlay.mp4", "lrp-st/figure.png",
                         "layercam/frame_importance.svg", "guided-backprop/summary.json"] {
            #expect(links.contains(expected), "report.html does not show \(expected)")
        }
        for method in ["layercam", "guided-backprop"] {
            let alone = directory.appendingPathComponent(method).path
            let single = try CommandRunner.run(["explain"] + common + ["--method", method, "--out", alone])
            #expect(single.status == 0, "\(single.error)")
            #expect(try NPY.read(path: "\(alone)/map.npy").scalars == NPY.read(path: "\(out)/\(method)/map.npy").scalars)
            #expect(FileManager.default.fileExists(atPath: alone + "/report.html"))
        }
    }

    @Test func skeletonReportAnimatesTheJoints() throws {
        let directory = try temporaryDirectory()
        let skeleton = directory.appendingPathComponent("skeleton.npy").path
        try NPY.write(Tensor.randomNormal(shape: [1, 3, 8, 25, 2], seed: 3), to: skeleton)
        let out = directory.appendingPathComponent("out").path
        let result = try CommandRunner.run(["explain", "--model", "st_gcn", "--random-weights", "--input", skeleton,
                                            "--method", "gradcam,saliency", "--quiet", "--out", out])
        #expect(result.status == 0, "\(result.error)")
        #expect(result.error.isEmpty)
        let html = try String(contentsOfFile: out + "/report.html", encoding: .utf8)
        #expect(html.contains(#"<svg data-skeleton="gradcam""#) && html.contains(#"<svg data-skeleton="saliency""#))
        #expect(html.contains(#"id="skeleton-data""#) && html.contains(#""joints":["base of spine""#))
        let links = try Self.expectLinksExist(out + "/report.html")
        #expect(links.contains("gradcam/joint_time.png") && links.contains("saliency/joints.svg"))
    }

    @Test func manifestExplainsEveryLineWithItsLabel() throws {
        let directory = try temporaryDirectory()
        for (name, seed) in [("a", 4), ("b", 5)] {
            try NPY.write(Tensor.randomNormal(shape: [1, 3, 4, 16, 16], seed: UInt64(seed)),
                          to: directory.appendingPathComponent("\(name).npy").path)
        }
        let manifest = directory.appendingPathComponent("list.csv").path
        try "path,label\na.npy,3\nb.npy,1\nsub/../a.npy,0\n".write(toFile: manifest, atomically: true, encoding: .utf8)
        try FileManager.default.createDirectory(at: directory.appendingPathComponent("sub"), withIntermediateDirectories: true)
        let out = directory.appendingPathComponent("out").path
        let result = try CommandRunner.run(["explain", "--model", "small_cam_net_3d", "--random-weights", "--manifest", manifest,
                                            "--method", "gradcam", "--target", "label", "--out", out])
        #expect(result.status == 0, "\(result.error)")
        // .resume holds the run's records for --resume (docs/scale.md).
        #expect(try FileManager.default.contentsOfDirectory(atPath: out).sorted() == [".resume", "a", "a-2", "b", "index.html"])
        let links = try Self.expectLinksExist(out + "/index.html")
        #expect(links == ["a/report.html", "b/report.html", "a-2/report.html"])
        for (folder, label) in [("a", 3), ("b", 1), ("a-2", 0)] {
            let summary = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: "\(out)/\(folder)/summary.json"))) as! [String: Any]
            #expect(summary["label"] as? Int == label)
            #expect(summary["target"] as? Int == label)
            _ = try Self.expectLinksExist("\(out)/\(folder)/report.html")
        }
        let missing = directory.appendingPathComponent("missing.csv").path
        try "a.npy,1\nnot-there.npy,2\n".write(toFile: missing, atomically: true, encoding: .utf8)
        let failed = try CommandRunner.run(["explain", "--model", "small_cam_net_3d", "--random-weights", "--manifest", missing,
                                            "--out", directory.appendingPathComponent("failed").path])
        #expect(failed.status == 2)
        #expect(failed.error.contains("not-there.npy") && failed.error.split(separator: "\n").count == 1)
        #expect(!FileManager.default.fileExists(atPath: directory.appendingPathComponent("failed").path))
    }

    @Test func evaluationReportShowsTheTablesAndCharts() throws {
        let directory = try temporaryDirectory()
        let out = directory.appendingPathComponent("eval").path
        let model = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("models/r3d_small").path
        let result = try CommandRunner.run(["evaluate", "--model", model, "--data", "moving-shapes", "--count", "4",
                                            "--metrics", "masking,deletion", "--quiet", "--out", out])
        #expect(result.status == 0, "\(result.error)")
        #expect(result.output.isEmpty)
        let html = try String(contentsOfFile: out + "/report.html", encoding: .utf8)
        #expect(html.contains("Masking faithfulness (seed 000)") && html.contains("<th>β important</th>"))
        let links = try Self.expectLinksExist(out + "/report.html")
        #expect(links.contains("masking.svg") && links.contains("deletion.svg") && links.contains("metrics.json"))
        // Vector charts scale smoothly: no pixelated rendering, unlike the pictures of frames.
        #expect(html.contains(#"<img src="masking.svg" alt="masking.svg" class="chart">"#))
        let chart = try String(contentsOfFile: out + "/masking.svg", encoding: .utf8)
        #expect(chart.hasPrefix("<?xml") && chart.contains(#"font-family="sans-serif""#) && chart.hasSuffix("</svg>\n"))
    }
}
