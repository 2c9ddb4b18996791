import Testing
import STCore

/// The cases of `STError` without their values, for naming the one a test expects.
package enum STErrorKind: Sendable {
    case badInput, shapeMismatch, shape, unsupported, unknownNode, invalidRequest, kernel
}

extension STError {
    /// The case, without its values.
    package var kind: STErrorKind {
        switch self {
        case .badInput: .badInput
        case .shapeMismatch: .shapeMismatch
        case .shape: .shape
        case .unsupported: .unsupported
        case .unknownNode: .unknownNode
        case .invalidRequest: .invalidRequest
        case .kernel: .kernel
        }
    }

    /// What the error is about: the file of `.badInput`, the node of `.shape` and
    /// `.shapeMismatch`, the operator of `.unsupported`, the name of `.unknownNode`; `nil` for
    /// `.invalidRequest` and `.kernel`, which carry only a reason.
    package var subject: String? {
        switch self {
        case .badInput(let file, _): file
        case .shapeMismatch(let node, _, _), .shape(let node, _): node
        case .unsupported(let op): op
        case .unknownNode(let name): name
        case .invalidRequest, .kernel: nil
        }
    }
}

/// Runs `body` and records an issue at the caller unless it throws an `STError` of `kind`, about
/// `subject` when one is given (see `STError.subject`: for `.badInput` the file the message
/// names), whose description contains every one of `fragments`. Returns the `STError` thrown, so
/// the test can look further; `nil` when `body` returned or threw another type.
@discardableResult
package func expectError<Result>(_ kind: STErrorKind, about subject: String? = nil, mentioning fragments: String...,
                                 sourceLocation: SourceLocation = #_sourceLocation,
                                 performing body: () throws -> Result) -> STError? {
    var wanted = "STError.\(kind)"
    if let subject { wanted += " about '\(subject)'" }
    if !fragments.isEmpty { wanted += " mentioning \(fragments.map { "'\($0)'" }.joined(separator: ", "))" }
    let error: STError
    do {
        _ = try body()
        record("expected \(wanted); nothing was thrown", at: sourceLocation)
        return nil
    } catch let thrown as STError {
        error = thrown
    } catch {
        record("expected \(wanted), got \(type(of: error)): \(error)", at: sourceLocation)
        return nil
    }
    let matches = error.kind == kind && (subject == nil || error.subject == subject)
        && fragments.allSatisfy { error.description.contains($0) }
    if !matches {
        record("expected \(wanted), got STError.\(error.kind): \(error.description)", at: sourceLocation)
    }
    return error
}

/// The file and reason of the `STError.badInput` that `body` throws; records an issue at the
/// caller for anything else, as `expectError(.badInput)`.
package func badInput<Result>(sourceLocation: SourceLocation = #_sourceLocation,
                              _ body: () throws -> Result) -> (file: String, reason: String)? {
    let error = expectError(.badInput, sourceLocation: sourceLocation, performing: body)
    guard case .badInput(let file, let reason)? = error else { return nil }
    return (file, reason)
}

/// Records `message` as it is (a `Comment` written as a literal describes interpolated values for
/// tests, `.badInput` for an enum case, instead of as text).
private func record(_ message: String, at sourceLocation: SourceLocation) {
    Issue.record(Comment(rawValue: message), sourceLocation: sourceLocation)
}
