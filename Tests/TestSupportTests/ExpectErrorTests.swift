import Testing
import STCore
import TestSupport

/// `expectError` passes only the expected case, subject and words, and says what it got otherwise.
@Suite struct ExpectErrorTests {
    struct Unrelated: Error {}

    @Test func theExpectedErrorIsReturnedWithoutAnIssue() {
        let error = expectError(.badInput, about: "clip.npy", mentioning: "header", "truncated") {
            throw STError.badInput(file: "clip.npy", reason: "truncated header")
        }
        #expect(error == .badInput(file: "clip.npy", reason: "truncated header"))
        let fileAndReason = badInput { throw STError.badInput(file: "a.onnx", reason: "empty") }
        #expect(fileAndReason?.file == "a.onnx" && fileAndReason?.reason == "empty")
    }

    @Test func anotherCaseSubjectOrMessageIsRecordedWithWhatWasThrown() {
        let wanted = "expected STError.badInput about 'clip.npy' mentioning 'header'"
        for thrown in [STError.invalidRequest("no header"), .badInput(file: "other.npy", reason: "header"),
                       .badInput(file: "clip.npy", reason: "too short")] {
            withKnownIssue {
                expectError(.badInput, about: "clip.npy", mentioning: "header") { throw thrown }
            } matching: { issue in
                issue.comments.contains { $0.rawValue == "\(wanted), got STError.\(thrown.kind): \(thrown)" }
            }
        }
    }

    @Test func noErrorOrAnotherErrorTypeIsRecorded() {
        withKnownIssue {
            #expect(expectError(.shape, about: "conv1") { 1 } == nil)
        } matching: { issue in
            issue.comments.contains { $0.rawValue == "expected STError.shape about 'conv1'; nothing was thrown" }
        }
        withKnownIssue {
            #expect(badInput { throw Unrelated() } == nil)
        } matching: { issue in
            issue.comments.contains { $0.rawValue.hasPrefix("expected STError.badInput, got Unrelated") }
        }
    }

    @Test func theSubjectIsTheFileNodeOperatorOrName() {
        #expect(STError.badInput(file: "a.npy", reason: "r").subject == "a.npy")
        #expect(STError.shapeMismatch(node: "fc", expected: [1], got: [2]).subject == "fc")
        #expect(STError.shape(node: "conv", reason: "r").subject == "conv")
        #expect(STError.unsupported(op: "Loop").subject == "Loop")
        #expect(STError.unknownNode("layer9").subject == "layer9")
        #expect(STError.invalidRequest("r").subject == nil)
        #expect(STError.kernel("r").subject == nil)
    }
}
