/// Output shapes of ONNX's shape operators, shared by constant folding and graph conversion.
/// Invalid arguments throw `ONNXImportIssue.malformed`.
enum ONNXShapeRules {
    /// The most elements a tensor built at import time may have (2²⁸, 1 GiB of floats).
    static let maximumElements = 1 << 28

    /// Π shape, for shapes of non-negative sizes within `limit` elements.
    static func elementCount(_ shape: [Int], limit: Int = maximumElements) throws -> Int {
        var count = 1
        for size in shape {
            guard size >= 0 else { throw ONNXImportIssue.malformed("negative size in shape \(shape)") }
            let product = count.multipliedReportingOverflow(by: size)
            guard !product.overflow, product.partialValue <= limit else {
                throw ONNXImportIssue.malformed("shape \(shape) has too many elements")
            }
            count = product.partialValue
        }
        return count
    }

    /// `Split`: the sizes of the parts along `axis` — from the `split` input (opset ≥ 13) or
    /// attribute, else `num_outputs` (opset 18: equal parts, the last one smaller) or the number of
    /// outputs (equal parts).
    static func splitSizes(_ node: ONNXNode, inputShape: [Int], opset: Int, splitInput: [Int]?) throws -> [Int] {
        var axis = try node.int("axis", default: 0)
        axis = axis < 0 ? axis + inputShape.count : axis
        guard axis >= 0 && axis < inputShape.count else {
            throw ONNXImportIssue.malformed("Split axis \(axis) for \(inputShape)")
        }
        let size = inputShape[axis]
        if let sizes = opset >= 13 ? splitInput : try node.ints("split") {
            guard sizes.count == node.outputs.count, sizes.allSatisfy({ $0 >= 0 }), sizes.reduce(0, +) == size else {
                throw ONNXImportIssue.malformed("Split sizes \(sizes) for \(node.outputs.count) outputs of an axis of \(size)")
            }
            return sizes
        }
        let parts = try node.int("num_outputs") ?? node.outputs.count
        guard parts > 0 else { throw ONNXImportIssue.malformed("Split into \(parts) parts") }
        let part = (size + parts - 1) / parts
        let sizes = (0..<parts).map { max(0, min(part, size - $0 * part)) }
        guard sizes.count == node.outputs.count, sizes.allSatisfy({ $0 > 0 }) else {
            throw ONNXImportIssue.malformed("an axis of \(size) does not split into \(node.outputs.count) parts")
        }
        return sizes
    }

    /// `Unsqueeze`: size-1 axes inserted at `axes`, which index the output (negative from its end).
    static func unsqueezed(_ shape: [Int], axes: [Int]) throws -> [Int] {
        let rank = shape.count + axes.count
        let inserted = Set(axes.map { $0 < 0 ? $0 + rank : $0 })
        guard inserted.count == axes.count, inserted.allSatisfy({ $0 >= 0 && $0 < rank }) else {
            throw ONNXImportIssue.malformed("Unsqueeze axes \(axes) for a rank-\(shape.count) input")
        }
        var remaining = shape.makeIterator()
        return (0..<rank).map { inserted.contains($0) ? 1 : remaining.next()! }
    }

    /// `Squeeze`: the listed size-1 axes removed, or every size-1 axis when `axes` is nil.
    static func squeezed(_ shape: [Int], axes: [Int]?) throws -> [Int] {
        guard let axes else { return shape.filter { $0 != 1 } }
        let removed = Set(axes.map { $0 < 0 ? $0 + shape.count : $0 })
        guard removed.allSatisfy({ $0 >= 0 && $0 < shape.count && shape[$0] == 1 }) else {
            throw ONNXImportIssue.malformed("Squeeze axes \(axes) of shape \(shape) are not all of size 1")
        }
        return shape.indices.filter { !removed.contains($0) }.map { shape[$0] }
    }

    /// `Reshape`: `0` copies the input's size at that index (unless `allowZero`), one `-1` is inferred.
    static func reshaped(_ shape: [Int], target: [Int], allowZero: Bool) throws -> [Int] {
        var output = try target.enumerated().map { index, size -> Int in
            guard size == 0 && !allowZero else { return size }
            guard index < shape.count else {
                throw ONNXImportIssue.malformed("Reshape target \(target) copies axis \(index) of \(shape)")
            }
            return shape[index]
        }
        guard output.allSatisfy({ $0 >= -1 }), output.filter({ $0 == -1 }).count <= 1 else {
            throw ONNXImportIssue.malformed("Reshape target \(target) is invalid")
        }
        let count = shape.reduce(1, *)
        let known = try elementCount(output.filter { $0 != -1 })
        if let inferred = output.firstIndex(of: -1) {
            guard known > 0 && count % known == 0 else {
                throw ONNXImportIssue.malformed("cannot reshape \(shape) to \(target)")
            }
            output[inferred] = count / known
        }
        guard output.reduce(1, *) == count else {
            throw ONNXImportIssue.malformed("cannot reshape \(shape) (\(count) elements) to \(target)")
        }
        return output
    }

    /// `Flatten`: `[Π shape[..<axis], Π shape[axis...]]`.
    static func flattened(_ shape: [Int], axis: Int) throws -> [Int] {
        let axis = axis < 0 ? axis + shape.count : axis
        guard axis >= 0 && axis <= shape.count else {
            throw ONNXImportIssue.malformed("Flatten axis \(axis) for shape \(shape)")
        }
        return [shape[..<axis].reduce(1, *), shape[axis...].reduce(1, *)]
    }

    /// The positions ONNX `Slice` selects along an axis of `size`: negative start/end count from
    /// the end, then start is clamped to [0, size] (step > 0) or [0, size − 1] (step < 0) and end
    /// to [0, size] or [−1, size − 1].
    static func slicePositions(size: Int, start: Int, end: Int, step: Int) -> [Int] {
        func resolved(_ index: Int) -> Int { index < 0 ? index &+ size : index }
        if step > 0 {
            let first = min(max(resolved(start), 0), size), last = min(max(resolved(end), 0), size)
            return Array(stride(from: first, to: last, by: step))
        }
        let first = min(max(resolved(start), 0), size - 1), last = min(max(resolved(end), -1), size - 1)
        return first > last ? Array(stride(from: first, to: last, by: step)) : []
    }

    /// NumPy broadcasting of two shapes (trailing axes aligned); nil when incompatible.
    static func broadcast(_ a: [Int], _ b: [Int]) -> [Int]? {
        let rank = max(a.count, b.count)
        let a = Array(repeating: 1, count: rank - a.count) + a, b = Array(repeating: 1, count: rank - b.count) + b
        var shape: [Int] = []
        for (x, y) in zip(a, b) {
            guard x == y || x == 1 || y == 1 else { return nil }
            shape.append(x == 1 ? y : x)
        }
        return shape
    }

    /// For each element of `output` (row-major), the flat index of the element of a tensor of
    /// `shape` that broadcasting maps onto it.
    static func broadcastSources(from shape: [Int], to output: [Int]) -> [Int] {
        let aligned = Array(repeating: 1, count: output.count - shape.count) + shape
        let strides = ONNXConstant.strides(aligned)
        var sources = [0]
        for axis in output.indices {
            let stride = aligned[axis] == 1 ? 0 : strides[axis]
            sources = sources.flatMap { base in (0..<output[axis]).map { base + $0 * stride } }
        }
        return sources
    }
}
