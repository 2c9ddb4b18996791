import Testing
@testable import stexplain

/// The report pages' building blocks.
@Suite struct HTMLTests {
    @Test func tablesEscapeEveryCell() {
        #expect(HTML.table(["a<b"], [["1 & 2"]]) == "<table><thead><tr><th>a&lt;b</th></tr></thead><tbody><tr><td>1 &amp; 2</td></tr></tbody></table>\n")
    }

    @Test func manifestFolderNamesAreSafeAndUnique() {
        #expect(ReportIndex.directoryName(for: "/data/clip 1.mp4", taken: []) == "clip_1")
        #expect(ReportIndex.directoryName(for: "x/clip_1.npy", taken: ["clip_1"]) == "clip_1-2")
        #expect(ReportIndex.directoryName(for: "x/clip_1.npy", taken: ["clip_1", "clip_1-2"]) == "clip_1-3")
        #expect(ReportIndex.directoryName(for: "x/.hidden", taken: []) == "input.hidden")
    }
}
