import CDNNL

extension DNNL {
    /// Copies `source` (laid out as `from`) into a new buffer laid out as `to`.
    static func reorder(_ source: TensorStorage, from: Desc, to: Desc) throws -> TensorStorage {
        let target = Buffer(desc: to)
        try execute(try reorderPrimitive(from: from, to: to, adding: false),
                    [Argument(DNNL_ARG_FROM, from, source), Argument(DNNL_ARG_TO, to, target.storage)])
        return target.storage
    }

    /// The cached reorder from `from` to `to`; when `adding`, it adds to what the target holds
    /// (a sum post-op) instead of overwriting it.
    private static func reorderPrimitive(from: Desc, to: Desc, adding: Bool) throws -> Primitive {
        try cached("\(adding ? "reorder-add" : "reorder")|\(descKey(from))|\(descKey(to))") {
            var attributes: dnnl_primitive_attr_t?
            if adding {
                try check(dnnl_primitive_attr_create(&attributes), "attributes")
                var list: dnnl_post_ops_t?
                try check(dnnl_post_ops_create(&list), "post-ops")
                defer { dnnl_post_ops_destroy(list) }
                try check(dnnl_post_ops_append_sum(list, 1), "sum post-op")
                try check(dnnl_primitive_attr_set_post_ops(attributes, list), "post-op attributes")
            }
            defer { if let attributes { dnnl_primitive_attr_destroy(attributes) } }
            var descriptor: dnnl_primitive_desc_t?
            var from = from, to = to
            try check(try withAttributes(attributes) { attributes in
                dnnl_reorder_primitive_desc_create(&descriptor, &from, runtime.engine, &to, runtime.engine, attributes)
            }, adding ? "adding reorder" : "reorder")
            return try Primitive(descriptor: descriptor!)
        }
    }

    /// `x` in another layout (same logical shape and values).
    static func reorder(_ x: Tensor, to format: MemoryFormat) -> Tensor {
        if x.format == format { return x }
        do {
            let storage = try reorder(x.storage, from: desc(x.shape, x.format), to: desc(x.shape, format))
            return Tensor(shape: x.shape, format: format, storage: storage)
        } catch {
            preconditionFailure("reorder of \(x.shape) from \(x.format) to \(format): \(error)")
        }
    }

    /// `x` in the layout `target` describes; `x` itself when it already is.
    static func conform(_ x: Tensor, to target: Desc) throws -> TensorStorage {
        let current = desc(x.shape, x.format)
        if equal(current, target) { return x.storage }
        return try reorder(x.storage, from: current, to: target)
    }

    /// The tensor a primitive produced in `chosen`, wrapped with its `MemoryFormat`.
    static func tensor(_ storage: TensorStorage, shape: [Int], chosen: Desc) -> Tensor {
        guard let format = format(of: chosen, shape: shape) else {
            preconditionFailure("oneDNN chose a layout the engine does not model for \(shape)")
        }
        return Tensor(shape: shape, format: format, storage: storage)
    }

    /// Axis permutation: `result.shape[i] = x.shape[order[i]]`, plain output. Size-1 axes are
    /// dropped and runs of axes that stay neighbours in order are merged first, so oneDNN sees the
    /// fewest axes (MViT's (1, 2, 6272, 1569) by [3, 1, 2, 0] is a 12544 × 1569 transpose).
    static func permute(_ x: Tensor, order: [Int]) throws -> Tensor {
        let shape = order.map { x.shape[$0] }
        let kept = order.filter { x.shape[$0] != 1 }
        var runs: [[Int]] = []
        for axis in kept {
            if let last = runs.last?.last, axis == last + 1 { runs[runs.count - 1].append(axis) } else { runs.append([axis]) }
        }
        if runs.count < order.count {
            let byInput = runs.sorted { $0[0] < $1[0] }
            let merged = byInput.map { $0.reduce(1) { $0 * x.shape[$1] } }
            let mergedOrder = runs.map { run in byInput.firstIndex { $0 == run }! }
            guard mergedOrder != Array(mergedOrder.indices) else { return x.plain().reshaped(shape) }
            return try permuteAxes(x.plain().reshaped(merged), order: mergedOrder).reshaped(shape)
        }
        return try permuteAxes(x, order: order)
    }

    private static func permuteAxes(_ x: Tensor, order: [Int]) throws -> Tensor {
        let source = x.plain()
        var inverse = [Int](repeating: 0, count: order.count)
        for (position, axis) in order.enumerated() { inverse[axis] = position }
        var permuted = Desc()
        var plainDesc = desc(source.shape)
        let permutation = inverse.map(Int32.init)
        try check(dnnl_memory_desc_permute_axes(&permuted, &plainDesc, permutation), "permute")
        let shape = order.map { x.shape[$0] }
        let storage = try reorder(source.storage, from: permuted, to: desc(shape))
        return Tensor(shape: shape, format: .plain, storage: storage)
    }

    /// `x[…, start ..< start + count, …]` along `axis`, plain: a reorder of the source's
    /// sub-memory, so a slice along the last axis copies runs instead of single elements.
    static func slice(_ x: Tensor, axis: Int, start: Int, count: Int) throws -> Tensor {
        var shape = x.shape, offsets = [Int](repeating: 0, count: x.rank)
        shape[axis] = count
        offsets[axis] = start
        return try block(x, offsets: offsets, shape: shape)
    }

    /// The block of `x` of `shape` starting at `offsets`, plain (a sub-memory reorder).
    static func block(_ x: Tensor, offsets: [Int], shape: [Int]) throws -> Tensor {
        let source = x.plain()
        var full = desc(source.shape), sub = Desc()
        try check(dnnl_memory_desc_init_submemory(&sub, &full, dims(shape), dims(offsets)), "block sub-memory")
        return Tensor(shape: shape, format: .plain, storage: try reorder(source.storage, from: sub, to: desc(shape)))
    }

    /// `x` with `r` added into the block of r's shape at `offsets`, plain: a copy of x, then a
    /// reorder of r into the block's sub-memory that adds what is there (a sum post-op), so the
    /// block is read and written once.
    static func addingIntoBlock(_ x: Tensor, _ r: Tensor, offsets: [Int]) throws -> Tensor {
        let result = x.plain().storage.copy()
        var full = desc(x.shape), sub = Desc()
        try check(dnnl_memory_desc_init_submemory(&sub, &full, dims(r.shape), dims(offsets)), "block sub-memory")
        let source = desc(r.shape)
        let primitive = try reorderPrimitive(from: source, to: sub, adding: true)
        try execute(primitive, [Argument(DNNL_ARG_FROM, source, r.plain().storage), Argument(DNNL_ARG_TO, sub, result)])
        return Tensor(shape: x.shape, format: .plain, storage: result)
    }
}
