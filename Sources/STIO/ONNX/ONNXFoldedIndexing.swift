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
        let strides = ONNXConstant.strides(data.shape)
        let positions = indices.ints
        let tuples = positions.count / k
        _ = try ONNXShapeRules.elementCount([tuples, sliceSize], limit: max(limit, data.count))
        var sources: [Int] = []
        sources.reserveCapacity(tuples * sliceSize)
        for tuple in 0..<tuples {
            var offset = 0
            for axis in 0..<k {
                let index = positions[tuple * k + axis]
                let wrapped = index < 0 ? index + data.shape[axis] : index
                guard wrapped >= 0 && wrapped < data.shape[axis] else {
                    throw ONNXImportIssue.malformed("GatherND index \(index) out of range for size \(data.shape[axis])")
                }
                offset += wrapped * strides[axis]
            }
            sources += offset..<(offset + sliceSize)
        }
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
        let tuples = indices.shape.dropLast().reduce(1, *)
        let sliceShape = Array(data.shape[k...])
        guard updates.shape == Array(indices.shape.dropLast()) + sliceShape else {
            throw ONNXImportIssue.malformed("ScatterND updates of shape \(updates.shape); expected \(Array(indices.shape.dropLast()) + sliceShape)")
        }
        let sliceSize = sliceShape.reduce(1, *)
        let strides = ONNXConstant.strides(data.shape)
        let positions = indices.ints
        var targets = [Int](repeating: 0, count: tuples)
        for tuple in 0..<tuples {
            var offset = 0
            for axis in 0..<k {
                let index = positions[tuple * k + axis]
                let wrapped = index < 0 ? index + data.shape[axis] : index
                guard wrapped >= 0 && wrapped < data.shape[axis] else {
                    throw ONNXImportIssue.malformed("ScatterND index \(index) out of range for size \(data.shape[axis])")
                }
                offset += wrapped * strides[axis]
            }
            targets[tuple] = offset
        }
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
