/// What converting one ONNX node can run into, before the importer turns it into an `STError`.
enum ONNXImportIssue: Error {
    /// Valid ONNX that the engine cannot express; it joins the importer's single list of
    /// unsupported operators.
    case unsupported(String)
    /// The node itself is malformed (a missing input, an attribute of the wrong type).
    case malformed(String)
}

/// One entry of the "unsupported operators" error: an op type, the first node that has it, and
/// why it is unsupported when the op type itself is (sometimes) supported.
struct UnsupportedOperator: Equatable {
    let op: String
    let node: String
    let detail: String

    /// `Erf (node /Erf)` or `Div (node /Div: the divisor is computed …)`.
    var description: String {
        detail.isEmpty ? "\(op) (node \(node))" : "\(op) (node \(node): \(detail))"
    }
}
