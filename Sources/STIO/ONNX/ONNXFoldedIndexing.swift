/// Scatter, gather and repetition on import-time constants: Swin's shifted-window mask is written
/// by `ScatterND` into slices of a zero image, MViT's relative-position tables are read by
/// `GatherND` (dynamo exports), token tables repeated by `Tile`.
extension ONNXConstantFolding {
    /// `GatherND(data, indices)` with `batch_dims = 0`: y[i…] = data[indices[i…]] — each k-tuple
    /// (the indices' last axis) picks a slice of data's remaining axes.
    func gatherND(_ data: ONNXConstant, indices: ONNXConstant, node: ONNXNode) throws -> ONNXConstant {
        guard try node.int("batch_dims", default: 0) == 0 else { throw ONNXImportIssue.unsupported("batch_dims ≠ 0 is not folded") }
        guard let k = indices.shape.last, k >= 1, k <= data.shape.count else {
            throw ONNXImportIssue.malformed("GatherND indices of shape \(indices.shape) for data \(data.shape)")
        }
        let sliceSize = data.shape[k...].reduce(1, *)
        let rows = try Self.rowsAddressed(by: indices, in: data.shape)
        _ = try ONNXShapeRules.elementCount([rows.count, sliceSize], limit: max(limit, data.count))
        let sources = rows.flatMap { row in (row * sliceSize)..<((row + 1) * sliceSize) }
        return data.picking(sources, shape: Array(indices.shape.dropLast()) + Array(data.shape[k...]))
    }

    /// `ScatterND(data, indices, updates)` with `reduction = none`: a copy of `data` where the
    /// k-tuple `indices[i…]` (last axis k) addresses the slice `data[idx, :, …]` that takes
    /// `updates[i…, :, …]`; later tuples win when they repeat.
    func scatterND(_ data: ONNXConstant, indices: ONNXConstant, updates: ONNXConstant,
                   node: ONNXNode) throws -> ONNXConstant {
        let reduction = try node.string("reduction") ?? "none"
        guard reduction == "none" else { throw ONNXImportIssue.unsupported("reduction '\(reduction)' is not folded") }
        guard let k = indices.shape.last, k <= data.shape.count else {
            throw ONNXImportIssue.malformed("ScatterND indices of shape \(indices.shape) for data \(data.shape)")
        }
        let sliceShape = Array(data.shape[k...])
        guard updates.shape == Array(indices.shape.dropLast()) + sliceShape else {
            throw ONNXImportIssue.malformed("ScatterND updates of shape \(updates.shape); expected \(Array(indices.shape.dropLast()) + sliceShape)")
        }
        let sliceSize = sliceShape.reduce(1, *)
        let targets = try Self.rowsAddressed(by: indices, in: data.shape).map { $0 * sliceSize }
        func scattered<T>(_ base: [T], _ source: [T]) -> [T] {
            var result = base
            for (tuple, target) in targets.enumerated() {
                result[target..<(target + sliceSize)] = source[(tuple * sliceSize)..<((tuple + 1) * sliceSize)]
            }
            return result
        }
        if data.isInteger && updates.isInteger { return ONNXConstant(shape: data.shape, ints: scattered(data.ints, updates.ints)) }
        return ONNXConstant(shape: data.shape, floats: scattered(data.floats, updates.floats))
    }

    /// The row of `shape`'s first k axes (row-major) each k-tuple of `indices` addresses, k being
    /// the indices' last size; negative indices count from the end.
    static func rowsAddressed(by indices: ONNXConstant, in shape: [Int]) throws -> [Int] {
        guard let k = indices.shape.last, k >= 1, k <= shape.count else {
            throw ONNXImportIssue.malformed("indices of shape \(indices.shape) for data of shape \(shape)")
        }
        let positions = indices.ints
        return try (0..<(positions.count / k)).map { tuple in
            try (0..<k).reduce(0) { row, axis in
                let index = positions[tuple * k + axis]
                let wrapped = index < 0 ? index + shape[axis] : index
                guard wrapped >= 0 && wrapped < shape[axis] else {
                    throw ONNXImportIssue.malformed("index \(index) out of range for size \(shape[axis])")
                }
                return row * shape[axis] + wrapped
            }
        }
    }

    /// `Tile(x, repeats)`: x repeated `repeats[a]` times along each axis a.
    func tile(_ x: ONNXConstant, repeats: [Int]) throws -> ONNXConstant {
        guard repeats.count == x.shape.count, repeats.allSatisfy({ $0 >= 0 }) else {
            throw ONNXImportIssue.malformed("Tile repeats \(repeats) for shape \(x.shape)")
        }
        let output = zip(x.shape, repeats).map { $0 * $1 }
        _ = try ONNXShapeRules.elementCount(output, limit: max(limit, x.count))
        let strides = ONNXConstant.strides(x.shape)
        var sources = [0]
        for axis in output.indices {
            sources = sources.flatMap { base in (0..<output[axis]).map { base + ($0 % x.shape[axis]) * strides[axis] } }
        }
        return x.picking(sources, shape: output)
    }
}
