/// Errors the engine and everything above it throw. Each carries enough context (file, node,
/// shapes) for a one-line message.
public enum STError: Error, Equatable, Sendable, CustomStringConvertible {
    /// An input file or value is malformed: `file` names the file (or the argument), `reason` the problem.
    case badInput(file: String, reason: String)
    /// Two shapes that must agree don't, at the named node.
    case shapeMismatch(node: String, expected: [Int], got: [Int])
    /// Input shapes an op cannot take, at the named node (`node` is filled in by the executor).
    case shape(node: String, reason: String)
    /// An operator the engine or an importer does not implement.
    case unsupported(op: String)
    /// A node name that the graph does not have.
    case unknownNode(String)
    /// The request itself is inconsistent (e.g. a gradient asked at a node that was not kept).
    case invalidRequest(String)
    /// oneDNN refused a primitive or an execution.
    case kernel(String)

    public var description: String {
        switch self {
        case .badInput(let file, let reason): return "\(file): \(reason)"
        case .shapeMismatch(let node, let expected, let got):
            return "\(node): expected shape \(expected), got \(got)"
        case .shape(let node, let reason): return "\(node): \(reason)"
        case .unsupported(let op): return "unsupported operator: \(op)"
        case .unknownNode(let name): return "no node named '\(name)'"
        case .invalidRequest(let reason): return reason
        case .kernel(let reason): return "oneDNN: \(reason)"
        }
    }
}
