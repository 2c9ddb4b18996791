import STCore

/// Broadcasting arithmetic: Add, Sub, Mul, Div. The engine has Add, Mul and Reciprocal; Sub and
/// Div are written with them and constants.
extension ONNXGraphConverter {
    /// `Add` / `Mul` → `Add` / `Multiply` (NumPy broadcasting); constant operands become
    /// `ParameterValue` (float initializers) or `Constant` nodes.
    mutating func convertBinary(_ node: ONNXNode, _ op: any Op) throws {
        let (a, b) = (try tensorInput(node, 0), try tensorInput(node, 1))
        bind(node.outputs[0], to: .node(try addNode(node.name, op, inputs: [a, b])))
    }

    /// `Sub`: a − b = a + (−b). A folded constant b becomes the constant `<name>.negated`; any
    /// other b (a computed tensor or a trained initializer, which must stay a parameter) is
    /// multiplied by the constant `<name>.minus_one` in `<name>.negate`. The `Add` is `<name>`.
    mutating func convertSubtraction(_ node: ONNXNode) throws {
        let minuend = try tensorInput(node, 0)
        let negated: String
        if let name = node.input(1), case .constant(let constant)? = values[name], constant.initializer == nil {
            negated = try addNode(available("\(node.name).negated"),
                                  Constant(Tensor(shape: constant.shape, scalars: constant.floats.map { -$0 })), inputs: [])
        } else {
            let subtrahend = try tensorInput(node, 1)
            let minusOne = try addNode(available("\(node.name).minus_one"), Constant(Tensor(shape: [1], scalars: [-1])), inputs: [])
            negated = try addNode(available("\(node.name).negate"), Multiply(), inputs: [subtrahend, minusOne])
        }
        bind(node.outputs[0], to: .node(try addNode(node.name, Add(), inputs: [minuend, negated])))
    }

    /// `Div`: a · (1/b). A constant b gives the constant `<name>.reciprocal` (equal to a/b within
    /// one rounding); a divisor computed at run time gives the `Reciprocal` node
    /// `<name>.reciprocal`. The `Multiply` (NumPy broadcasting, as `Div`'s) is `<name>`.
    mutating func convertDivision(_ node: ONNXNode) throws {
        let dividend = try tensorInput(node, 0)
        let reciprocal: String
        if let name = node.input(1), case .constant(let divisor)? = values[name] {
            guard !divisor.floats.contains(0) else { throw ONNXImportIssue.malformed("it divides by a constant holding 0") }
            reciprocal = try addNode(available("\(node.name).reciprocal"),
                                     Constant(Tensor(shape: divisor.shape, scalars: divisor.floats.map { 1 / $0 })), inputs: [])
        } else {
            reciprocal = try addNode(available("\(node.name).reciprocal"), Reciprocal(), inputs: [try tensorInput(node, 1)])
        }
        bind(node.outputs[0], to: .node(try addNode(node.name, Multiply(), inputs: [dividend, reciprocal])))
    }
}
