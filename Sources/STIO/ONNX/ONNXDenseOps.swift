import Foundation
import STCore

/// Matrix products: Gemm, MatMul and the Einsum equations the engine has kernels for.
extension ONNXGraphConverter {
    /// `Gemm` with a constant B: Y = α·A·B′ + β·C → `Linear` with weight α·B′ `(out, in)` (B′ = B
    /// when `transB` = 1, as `torch.onnx.export` writes `nn.Linear`, else Bᵀ) and bias β·C
    /// (C of `out` elements, or one broadcast). A weight or bias stored exactly as in the file
    /// keeps its initializer's name; a transposed or scaled one is named `<node>.weight`/`.bias`.
    mutating func convertGemm(_ node: ONNXNode) throws {
        guard try node.int("transA", default: 0) == 0 else { throw ONNXImportIssue.unsupported("transA = 1") }
        let input = try tensorInput(node, 0)
        guard shape(input).count == 2 else { throw ONNXImportIssue.malformed("A \(shape(input)) is not a matrix") }
        guard let b = try constantInput(node, 1, role: "weight"), b.shape.count == 2 else {
            throw ONNXImportIssue.malformed("B is missing or not a matrix")
        }
        let transB = try node.int("transB", default: 0) != 0
        let alpha = try node.float("alpha", default: 1), beta = try node.float("beta", default: 1)
        var weight = transB ? b : b.picking(Self.transposedOrder(rows: b.shape[0], columns: b.shape[1]),
                                              shape: [b.shape[1], b.shape[0]])
        if alpha != 1 { weight = ONNXConstant(shape: weight.shape, floats: weight.floats.map { alpha * $0 }) }
        var parameters = [ONNXStateEntry(role: "weight", value: weight.tensor,
                                         preferredKey: transB && alpha == 1 ? b.initializer : nil)]
        let outFeatures = weight.shape[0]
        if let c = try constantInput(node, 2, role: "bias") {
            guard c.count == outFeatures || c.count == 1 else {
                throw ONNXImportIssue.unsupported("a bias C of shape \(c.shape); only one value per output feature is imported")
            }
            let values = c.count == outFeatures ? c.floats : Array(repeating: c.floats[0], count: outFeatures)
            parameters.append(ONNXStateEntry(role: "bias", value: Tensor(shape: [outFeatures], scalars: values.map { beta * $0 }),
                                             preferredKey: beta == 1 && c.shape == [outFeatures] ? c.initializer : nil))
        }
        let op = Linear(bias: parameters.count == 2)
        bind(node.outputs[0], to: .node(try addNode(node.name, op, inputs: [input], parameters: parameters)))
    }

    /// `MatMul` → `MatMul` for operands of rank ≥ 2 (batch axes broadcast); a constant operand
    /// is a `ParameterValue` named after its initializer.
    mutating func convertMatMul(_ node: ONNXNode) throws {
        let (a, b) = (try tensorInput(node, 0), try tensorInput(node, 1))
        guard shape(a).count >= 2 && shape(b).count >= 2 else {
            throw ONNXImportIssue.unsupported("a 1-D operand (\(shape(a)) × \(shape(b))); the engine's MatMul takes ranks ≥ 2")
        }
        bind(node.outputs[0], to: .node(try addNode(node.name, MatMul(), inputs: [a, b])))
    }

    /// `Einsum` with two operands, in one of the forms the engine computes:
    /// - `nkctv,kvw->nctw` (any letters): ST-GCN's graph aggregation → `GraphAggregation`;
    /// - `…ij,…jk->…ik` where the second operand's batch letters end the first's (`bij,bjk->bik`,
    ///   `nctv,vw->nctw`): a batched matrix product → `MatMul`.
    /// Other equations are unsupported.
    mutating func convertEinsum(_ node: ONNXNode) throws {
        guard let equation = try node.string("equation") else { throw ONNXImportIssue.malformed("equation is missing") }
        let compact = equation.replacingOccurrences(of: " ", with: "").replacingOccurrences(of: "...", with: "*")
        let sides = compact.components(separatedBy: "->")
        let terms = sides[0].split(separator: ",", omittingEmptySubsequences: false).map(Array.init)
        guard sides.count == 2, terms.count == 2, node.presentInputs.count == 2 else {
            throw ONNXImportIssue.unsupported("equation '\(equation)'; only two-operand equations with an explicit output are imported")
        }
        let (x, a, output) = (terms[0], terms[1], Array(sides[1]))
        let op: any Op
        if Self.isGraphAggregation(x, a, output) {
            op = GraphAggregation()
        } else if Self.isBatchedProduct(x, a, output) {
            op = MatMul()
        } else {
            try convertEinsumAsMatMul(node, x, a, output, equation: equation)
            return
        }
        let (first, second) = (try tensorInput(node, 0), try tensorInput(node, 1))
        bind(node.outputs[0], to: .node(try addNode(node.name, op, inputs: [first, second])))
    }

    /// Any other two-operand equation with distinct letters per term, each letter either shared
    /// by both operands and the output (batch), by both operands only (summed), or by one operand
    /// and the output (free) — MViT's relative positions `bythwc,hkc->bythwk` — as
    ///
    ///     x → permute (batch, x-free, summed) → reshape (batch, Πx-free, Πsummed)   `<name>.x…`
    ///     a → permute (batch, summed, a-free) → reshape (batch, Πsummed, Πa-free)   `<name>.a…`
    ///     MatMul `<name>.matmul` → reshape (batch, x-free, a-free) → permute to the output `<name>`
    private mutating func convertEinsumAsMatMul(_ node: ONNXNode, _ x: [Character], _ a: [Character], _ output: [Character],
                                                equation: String) throws {
        let unsupported = ONNXImportIssue.unsupported("equation '\(equation)'; two-operand products whose letters each "
                                                      + "appear in the output or in both operands are imported")
        guard Set(x).count == x.count, Set(a).count == a.count, Set(output).count == output.count,
              !(x + a).contains("*"), Set(output).isSubset(of: Set(x + a)),
              (x + a).allSatisfy({ output.contains($0) || (x.contains($0) && a.contains($0)) }) else { throw unsupported }
        let batch = output.filter { x.contains($0) && a.contains($0) }
        let summed = x.filter { a.contains($0) && !output.contains($0) }
        let xFree = x.filter { !a.contains($0) }, aFree = a.filter { !x.contains($0) }
        let (first, second) = (try tensorInput(node, 0), try tensorInput(node, 1))
        var size: [Character: Int] = [:]
        for (letters, name) in [(x, first), (a, second)] {
            for (letter, extent) in zip(letters, shape(name)) {
                guard size[letter].map({ $0 == extent }) ?? true else { throw unsupported }
                size[letter] = extent
            }
        }
        func arranged(_ input: String, _ letters: [Character], as order: [Character], grouped groups: [[Character]],
                      suffix: String) throws -> String {
            var current = input
            let permutation = order.map { letters.firstIndex(of: $0)! }
            if permutation != Array(letters.indices) {
                current = try addNode(available("\(node.name).\(suffix)_permute"), Permute(permutation), inputs: [current])
            }
            let target = groups.map { $0.reduce(1) { $0 * size[$1]! } }
            if target != shape(current) {
                current = try addNode(available("\(node.name).\(suffix)_reshape"), Reshape(target), inputs: [current])
            }
            return current
        }
        let left = try arranged(first, x, as: batch + xFree + summed, grouped: batch.map { [$0] } + [xFree, summed], suffix: "x")
        let right = try arranged(second, a, as: batch + summed + aFree, grouped: batch.map { [$0] } + [summed, aFree], suffix: "a")
        var result = try addNode(available("\(node.name).matmul"), MatMul(), inputs: [left, right])
        let produced = batch + xFree + aFree
        let unflattened = produced.map { size[$0]! }
        if unflattened != shape(result) {
            result = try addNode(available("\(node.name).reshape"), Reshape(unflattened), inputs: [result])
        }
        let permutation = output.map { produced.firstIndex(of: $0)! }
        if permutation != Array(output.indices) {
            result = try addNode(node.name, Permute(permutation), inputs: [result])
        }
        bind(node.outputs[0], to: .node(result))
    }

    /// x = n k c t v, A = k v w, output = n c t w, with distinct letters.
    private static func isGraphAggregation(_ x: [Character], _ a: [Character], _ output: [Character]) -> Bool {
        x.count == 5 && a.count == 3 && Set(x).count == 5 && !x.contains("*") && a[0] == x[1] && a[1] == x[4]
            && !x.contains(a[2]) && output == [x[0], x[2], x[3], a[2]]
    }

    /// x = B i j, A = B′ j k with B′ a suffix of B, output = B i k, with distinct letters.
    private static func isBatchedProduct(_ x: [Character], _ a: [Character], _ output: [Character]) -> Bool {
        guard x.count >= 2, a.count >= 2, Set(x).count == x.count else { return false }
        let (i, j, k) = (x[x.count - 2], x[x.count - 1], a[a.count - 1])
        let xBatch = Array(x.dropLast(2)), aBatch = Array(a.dropLast(2))
        return a[a.count - 2] == j && !x.contains(k) && aBatch.count <= xBatch.count
            && Array(xBatch.suffix(aBatch.count)) == aBatch && output == xBatch + [i, k]
    }

    /// Flat source indices of the transpose of a row-major `rows × columns` matrix.
    static func transposedOrder(rows: Int, columns: Int) -> [Int] {
        (0..<columns).flatMap { column in (0..<rows).map { $0 * columns + column } }
    }
}
