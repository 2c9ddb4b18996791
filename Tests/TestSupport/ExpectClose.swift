import Testing
import STCore

/// Records an issue at the caller unless `actual` has as many elements as `expected` and every one
/// is within `tolerance` of it. The issue names the first element out of tolerance (index, actual,
/// expected and the limit) and, for short arrays, both arrays.
package func expectClose(_ actual: [Float], _ expected: [Float], _ tolerance: Tolerance,
                         sourceLocation: SourceLocation = #_sourceLocation) {
    if let failure = closenessFailure(actual, expected, tolerance) {
        Issue.record(Comment(rawValue: failure), sourceLocation: sourceLocation)
    }
}

/// Records an issue at the caller unless the two tensors have the same shape and their elements
/// are within `tolerance` of each other, as `expectClose` of two arrays.
package func expectClose(_ actual: Tensor, _ expected: Tensor, _ tolerance: Tolerance,
                         sourceLocation: SourceLocation = #_sourceLocation) {
    expectClose(actual, shape: expected.shape, expected.scalars, tolerance, sourceLocation: sourceLocation)
}

/// Records an issue at the caller unless `actual` has `shape` and its elements are within
/// `tolerance` of `expected`, as `expectClose` of two arrays.
package func expectClose(_ actual: Tensor, shape: [Int], _ expected: [Float], _ tolerance: Tolerance,
                         sourceLocation: SourceLocation = #_sourceLocation) {
    guard actual.shape == shape else {
        Issue.record(Comment(rawValue: "shape \(actual.shape), expected \(shape)"), sourceLocation: sourceLocation)
        return
    }
    expectClose(actual.scalars, expected, tolerance, sourceLocation: sourceLocation)
}

/// Records an issue at the caller unless `actual` has as many rows as `expected` and each row is
/// close to its expected row, as `expectClose` of two arrays (a `.normwise` tolerance applies to
/// each row on its own). The issue names the row.
package func expectClose(_ actual: [[Float]], _ expected: [[Float]], _ tolerance: Tolerance,
                         sourceLocation: SourceLocation = #_sourceLocation) {
    guard actual.count == expected.count else {
        Issue.record(Comment(rawValue: "\(actual.count) rows, expected \(expected.count)"),
                     sourceLocation: sourceLocation)
        return
    }
    for (row, (actualRow, expectedRow)) in zip(actual, expected).enumerated() {
        if let failure = closenessFailure(actualRow, expectedRow, tolerance) {
            Issue.record(Comment(rawValue: "row \(row): \(failure)"), sourceLocation: sourceLocation)
        }
    }
}

/// Why `actual` is not close to `expected`, `nil` if it is.
private func closenessFailure(_ actual: [Float], _ expected: [Float], _ tolerance: Tolerance) -> String? {
    guard actual.count == expected.count else { return "\(actual.count) values, expected \(expected.count)" }
    guard let violation = tolerance.violation(actual, expected) else { return nil }
    return actual.count <= 16 ? "\(violation)\nactual   \(actual)\nexpected \(expected)" : violation
}
