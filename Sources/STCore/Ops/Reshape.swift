/// A view of the input with another shape of the same element count (ONNX `Reshape` with
/// `allowzero = 0`, PyTorch `reshape`/`view`). In the target, `0` copies the input's size at the
/// same index and one `-1` stands for whatever size makes the element counts agree.
///
///     y = x with shape `target` (row-major order unchanged),   ∂L/∂x = g with x's shape
///
/// Shape errors: more than one `-1`, another negative size, a `0` past the input's rank, or an
/// element count that differs from the input's.
public struct Reshape: Op {
    public let target: [Int]

    public init(_ target: [Int]) {
        self.target = target
    }

    public var typeName: String { "Reshape" }

    public func outputShape(inputs: [[Int]], parameters: [[Int]]) throws -> [Int] {
        let input = inputs[0]
        try ShapeCheck.require(target.allSatisfy { $0 >= -1 } && target.filter { $0 == -1 }.count <= 1,
                               "Reshape target \(target) may hold one -1 and no other negative size")
        var shape = try target.enumerated().map { index, size in
            guard size == 0 else { return size }
            try ShapeCheck.require(index < input.count, "Reshape target \(target) copies axis \(index) of \(input), which has no such axis")
            return input[index]
        }
        let count = input.reduce(1, *)
        let known = shape.filter { $0 != -1 }.reduce(1, *)
        if let inferred = shape.firstIndex(of: -1) {
            try ShapeCheck.require(known > 0 && count % known == 0, "cannot reshape \(input) to \(target)")
            shape[inferred] = count / known
        }
        try ShapeCheck.require(shape.reduce(1, *) == count,
                               "cannot reshape \(input) (\(count) elements) to \(target) (\(shape.reduce(1, *)) elements)")
        return shape
    }

    public func forward(_ inputs: [Tensor], parameters: [Tensor], context: inout ForwardContext) throws -> OpOutput {
        OpOutput(inputs[0].reshaped(try outputShape(inputs: [inputs[0].shape], parameters: [])))
    }

    public func backward(_ gradOutput: Tensor, record: OpRecord, needInputs: [Bool],
                         context: BackwardContext) throws -> OpGradients {
        OpGradients(inputs: [needInputs[0] ? gradOutput.reshaped(record.inputs[0].shape) : nil])
    }
}
