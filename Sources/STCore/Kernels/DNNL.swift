import CDNNL
import Foundation

/// The one bridge between the engine and oneDNN 2.6's C API; no other file imports `CDNNL`.
///
/// Every kernel here takes and returns `Tensor`s. Activations may come back in the layout oneDNN
/// chose (`MemoryFormat.channelBlocked`), and a tensor already in the layout a primitive wants is
/// passed without a copy; anything else is reordered at the boundary. Primitives are created once
/// per shape and kept in a cache; weights reordered for a primitive are cached per weight version.
enum DNNL {
    static let runtime = Runtime()

    // MARK: - Runtime

    /// Engine, stream and caches. Executions are serialised: oneDNN parallelises inside each
    /// primitive with its own OpenMP threads, so concurrent callers gain nothing.
    final class Runtime: @unchecked Sendable {
        let engine: dnnl_engine_t
        let stream: dnnl_stream_t
        let threads: Int
        let lock = NSRecursiveLock()
        var primitives: [String: Primitive] = [:]
        var preparedWeights: [String: PreparedWeights] = [:]
        var derivations: [ObjectIdentifier: Derivation] = [:]
        /// Shared scratch memory for executions (which are serialised), grown on demand.
        var scratchpad = TensorStorage(count: 0)

        init() {
            let requested = ProcessInfo.processInfo.environment["STEXPLAIN_THREADS"].flatMap { Int($0) }
            if let requested, requested > 0 {
                omp_set_num_threads(Int32(requested))
            }
            threads = Int(omp_get_max_threads())
            var engine: dnnl_engine_t?
            var stream: dnnl_stream_t?
            precondition(dnnl_engine_create(&engine, dnnl_cpu, 0) == dnnl_success, "oneDNN: no CPU engine")
            precondition(dnnl_stream_create(&stream, engine, dnnl_stream_default_flags.rawValue) == dnnl_success,
                         "oneDNN: no stream")
            self.engine = engine!
            self.stream = stream!
        }

        func withLock<R>(_ body: () throws -> R) rethrows -> R {
            lock.lock()
            defer { lock.unlock() }
            return try body()
        }
    }

    /// Number of threads oneDNN runs with (`STEXPLAIN_THREADS`, default all cores).
    static var threadCount: Int { runtime.threads }

    // MARK: - Memory descriptors

    typealias Desc = dnnl_memory_desc_t

    /// A `dnnl_dims_t` argument: C arrays of 12 `int64_t`, passed as a Swift array so the pointer
    /// covers all of it (a pointer to a tuple's first element need not).
    static func dims(_ values: [Int]) -> [Int64] {
        values.map(Int64.init) + Array(repeating: 0, count: 12 - values.count)
    }

    private static let plainTags: [dnnl_format_tag_t] = [dnnl_a, dnnl_a, dnnl_ab, dnnl_abc, dnnl_abcd, dnnl_abcde, dnnl_abcdef]

    private static func tag(rank: Int, format: MemoryFormat) -> dnnl_format_tag_t? {
        switch (format, rank) {
        case (.plain, 0...6): return plainTags[rank]
        case (.channelsLast, 3): return dnnl_acb
        case (.channelsLast, 4): return dnnl_acdb
        case (.channelsLast, 5): return dnnl_acdeb
        case (.channelBlocked(8), 3): return dnnl_aBc8b
        case (.channelBlocked(8), 4): return dnnl_aBcd8b
        case (.channelBlocked(8), 5): return dnnl_aBcde8b
        case (.channelBlocked(16), 3): return dnnl_aBc16b
        case (.channelBlocked(16), 4): return dnnl_aBcd16b
        case (.channelBlocked(16), 5): return dnnl_aBcde16b
        default: return nil
        }
    }

    /// Descriptor of a tensor of `shape` in `format` (a scalar is described as shape [1]). Plain
    /// tensors of rank 7–12 (window partitions reshape to rank 8) are described by their
    /// row-major strides, since oneDNN names plain tags only up to rank 6.
    static func desc(_ shape: [Int], _ format: MemoryFormat = .plain) -> Desc {
        let shape = shape.isEmpty ? [1] : shape
        if format == .plain, shape.count > 6 { return desc(shape, strides: rowMajorStrides(shape)) }
        guard let tag = tag(rank: shape.count, format: format) else {
            preconditionFailure("no oneDNN tag for \(format) at rank \(shape.count)")
        }
        var result = Desc()
        let dims = dims(shape)
        let status = dnnl_memory_desc_init_by_tag(&result, Int32(shape.count), dims, dnnl_f32, tag)
        precondition(status == dnnl_success, "memory descriptor for \(shape) \(format): \(status)")
        return result
    }

    /// Element strides of a row-major (plain) tensor of `shape`.
    static func rowMajorStrides(_ shape: [Int]) -> [Int] {
        var strides = [Int](repeating: 1, count: shape.count)
        for axis in shape.indices.dropLast().reversed() { strides[axis] = strides[axis + 1] * shape[axis + 1] }
        return strides
    }

    /// Descriptor with explicit element strides (for transposed and strided views).
    static func desc(_ shape: [Int], strides: [Int]) -> Desc {
        var result = Desc()
        let dims = dims(shape)
        let strideDims = self.dims(strides)
        let status = dnnl_memory_desc_init_by_strides(&result, Int32(shape.count), dims, dnnl_f32, strideDims)
        precondition(status == dnnl_success, "strided descriptor for \(shape) \(strides): \(status)")
        return result
    }

    /// A descriptor that lets the primitive choose the layout.
    static func anyDesc(_ shape: [Int]) -> Desc {
        var result = Desc()
        let dims = dims(shape)
        let status = dnnl_memory_desc_init_by_tag(&result, Int32(shape.count), dims, dnnl_f32, dnnl_format_tag_any)
        precondition(status == dnnl_success, "any-descriptor for \(shape): \(status)")
        return result
    }

    /// Passes a pointer to `value` when `present`, nil otherwise (optional C arguments).
    static func optionalPointer<R>(to value: inout Desc, if present: Bool, _ body: (UnsafePointer<Desc>?) -> R) -> R {
        present ? withUnsafePointer(to: &value) { body($0) } : body(nil)
    }

    static func equal(_ a: Desc, _ b: Desc) -> Bool {
        var a = a, b = b
        return dnnl_memory_desc_equal(&a, &b) != 0
    }

    /// The `MemoryFormat` a descriptor chosen by oneDNN corresponds to, if it is one we model.
    static func format(of chosen: Desc, shape: [Int]) -> MemoryFormat? {
        let candidates: [MemoryFormat] = [.plain, .channelBlocked(16), .channelBlocked(8), .channelsLast]
        return candidates.first { tag(rank: shape.count, format: $0) != nil && equal(desc(shape, $0), chosen) }
    }

    static func byteCount(_ desc: Desc) -> Int {
        var desc = desc
        return dnnl_memory_desc_get_size(&desc)
    }

    // MARK: - Primitives

    /// A primitive descriptor and its primitive.
    ///
    /// Every primitive is created with a user-managed scratchpad: oneDNN's own scratchpad belongs
    /// to the thread that created the primitive, and Swift runs work on whichever thread is free.
    final class Primitive: @unchecked Sendable {
        let descriptor: dnnl_primitive_desc_t
        let handle: dnnl_primitive_t
        /// Scratch memory the primitive needs at execution (0 if none).
        let scratchpadDesc: Desc

        init(descriptor: dnnl_primitive_desc_t) throws {
            var handle: dnnl_primitive_t?
            try check(dnnl_primitive_create(&handle, descriptor), "primitive creation")
            self.descriptor = descriptor
            self.handle = handle!
            scratchpadDesc = dnnl_primitive_desc_query_md(descriptor, dnnl_query_scratchpad_md, 0).pointee
        }

        /// Creates the primitive for an operation descriptor (`convolution_desc`, …).
        convenience init<OpDesc>(op: inout OpDesc, attributes: dnnl_primitive_attr_t? = nil,
                                 hint: Primitive? = nil, what: String) throws {
            var descriptor: dnnl_primitive_desc_t?
            let status = try withAttributes(attributes) { attributes in
                withUnsafePointer(to: &op) { pointer in
                    dnnl_primitive_desc_create(&descriptor, UnsafeRawPointer(pointer), attributes,
                                               DNNL.runtime.engine, hint?.descriptor)
                }
            }
            try check(status, what)
            try self.init(descriptor: descriptor!)
        }

        func desc(_ query: dnnl_query_t, _ index: Int32 = 0) -> Desc {
            dnnl_primitive_desc_query_md(descriptor, query, index).pointee
        }

        var implementation: String {
            var text: UnsafePointer<CChar>?
            dnnl_primitive_desc_query(descriptor, dnnl_query_impl_info_str, 0, &text)
            return text.map { String(cString: $0) } ?? "?"
        }

        deinit {
            dnnl_primitive_destroy(handle)
            dnnl_primitive_desc_destroy(descriptor)
        }
    }

    /// Runs `body` with `attributes` (or fresh ones) set to a user-managed scratchpad.
    static func withAttributes<R>(_ attributes: dnnl_primitive_attr_t?, _ body: (dnnl_primitive_attr_t?) throws -> R) throws -> R {
        var owned: dnnl_primitive_attr_t?
        if attributes == nil { try check(dnnl_primitive_attr_create(&owned), "attributes") }
        defer { if let owned { dnnl_primitive_attr_destroy(owned) } }
        let target = attributes ?? owned
        try check(dnnl_primitive_attr_set_scratchpad_mode(target, dnnl_scratchpad_mode_user), "scratchpad mode")
        return try body(target)
    }

    static func check(_ status: dnnl_status_t, _ what: String) throws {
        guard status == dnnl_success else {
            throw STError.kernel("\(what) failed (status \(status.rawValue))")
        }
    }

    /// The cached primitive for `key`, created by `make` on first use.
    static func cached(_ key: String, _ make: () throws -> Primitive) rethrows -> Primitive {
        try runtime.withLock {
            if let primitive = runtime.primitives[key] { return primitive }
            let primitive = try make()
            runtime.primitives[key] = primitive
            return primitive
        }
    }

    /// One argument of an execution: the slot, its descriptor and the memory behind it.
    struct Argument {
        let slot: Int32
        let desc: Desc
        let pointer: UnsafeMutableRawPointer
        let owner: AnyObject

        init(_ slot: Int32, _ desc: Desc, _ storage: TensorStorage) {
            self.slot = slot
            self.desc = desc
            self.pointer = UnsafeMutableRawPointer(storage.pointer)
            self.owner = storage
        }
    }

    /// A primitive with oneDNN memory objects over its arguments' buffers (and a scratchpad), made
    /// once and destroyed with it, so that `run` can execute the primitive again and again on the
    /// same buffers.
    final class Execution {
        let primitive: Primitive
        let arguments: [Argument]
        private var execArgs: [dnnl_exec_arg_t] = []

        /// `scratchpad` must hold the primitive's scratch memory when it needs any.
        init(_ primitive: Primitive, _ arguments: [Argument], scratchpad: TensorStorage) throws {
            var arguments = arguments
            if byteCount(primitive.scratchpadDesc) > 0 {
                arguments.append(Argument(DNNL_ARG_SCRATCHPAD, primitive.scratchpadDesc, scratchpad))
            }
            self.primitive = primitive
            self.arguments = arguments
            for argument in arguments {
                var memory: dnnl_memory_t?
                var desc = argument.desc
                try check(dnnl_memory_create(&memory, &desc, runtime.engine, argument.pointer), "memory creation")
                execArgs.append(dnnl_exec_arg_t(arg: argument.slot, memory: memory))
            }
        }

        /// Scratch memory enough for `primitive`.
        static func scratchpad(for primitive: Primitive) -> TensorStorage {
            TensorStorage(count: (byteCount(primitive.scratchpadDesc) + 3) / 4)
        }

        /// Executes the primitive and waits for it to finish.
        func run() throws {
            try runtime.withLock {
                let status = dnnl_primitive_execute(primitive.handle, runtime.stream, Int32(execArgs.count), execArgs)
                if status != dnnl_success {
                    let mismatched = arguments.filter { !equal($0.desc, primitive.desc(dnnl_query_exec_arg_md, $0.slot)) }
                    let given = Set(arguments.map(\.slot))
                    let missing = (1..<300).map(Int32.init).filter {
                        !given.contains($0) && primitive.desc(dnnl_query_exec_arg_md, $0).ndims > 0
                    }
                    throw STError.kernel("\(primitive.implementation) execution failed (status \(status.rawValue)); "
                                         + "mismatched arguments \(mismatched.map(\.slot)), missing \(missing)")
                }
                try check(dnnl_stream_wait(runtime.stream), "stream wait")
            }
        }

        deinit {
            for argument in execArgs { dnnl_memory_destroy(argument.memory) }
        }
    }

    /// Executes `primitive` once on `arguments`, with the runtime's shared scratchpad (grown when
    /// the primitive needs more; executions are serialised, so one suffices).
    static func execute(_ primitive: Primitive, _ arguments: [Argument]) throws {
        try runtime.withLock {
            if runtime.scratchpad.count * 4 < byteCount(primitive.scratchpadDesc) {
                runtime.scratchpad = Execution.scratchpad(for: primitive)
            }
            try Execution(primitive, arguments, scratchpad: runtime.scratchpad).run()
        }
    }

    /// A buffer laid out as `desc` (used for formats that have no `MemoryFormat`, e.g. weights).
    /// Its contents start unset: the primitive it is handed to as an output writes all of it
    /// (oneDNN zeroes the padded area of blocked layouts when it wraps the buffer).
    struct Buffer {
        let desc: Desc
        let storage: TensorStorage

        init(desc: Desc) {
            self.desc = desc
            storage = TensorStorage(count: (byteCount(desc) + 3) / 4)
        }
    }

    /// Weights reordered for one primitive, tagged with the source's version. The source is held
    /// weakly: transient weights (LRP's w⁺ and w⁻) must not be kept alive by the cache.
    struct PreparedWeights {
        weak var source: TensorStorage?
        let version: Int
        let buffer: Buffer
    }

    /// A tensor made by `Tensor.transformed(by:)`: f of `source` as it was at `sourceVersion`.
    struct Derivation {
        weak var derived: TensorStorage?
        let derivedVersion: Int
        let source: Tensor
        let sourceVersion: Int
        let transform: WeightTransform
    }

    /// Remembers that `derived` is `transform` of `source`, for `prepared`.
    static func recordDerivation(_ derived: Tensor, of source: Tensor, by transform: WeightTransform) {
        runtime.withLock {
            runtime.derivations = runtime.derivations.filter { $0.value.derived != nil }
            runtime.derivations[ObjectIdentifier(derived.storage)] = Derivation(
                derived: derived.storage, derivedVersion: derived.storage.version, source: source,
                sourceVersion: source.storage.version, transform: transform)
        }
    }

    // MARK: - Reorders

    /// Copies `source` (laid out as `from`) into a new buffer laid out as `to`.
    static func reorder(_ source: TensorStorage, from: Desc, to: Desc) throws -> TensorStorage {
        let key = "reorder|\(descKey(from))|\(descKey(to))"
        let primitive = try cached(key) {
            var descriptor: dnnl_primitive_desc_t?
            var from = from, to = to
            try check(try withAttributes(nil) { attributes in
                dnnl_reorder_primitive_desc_create(&descriptor, &from, runtime.engine, &to, runtime.engine, attributes)
            }, "reorder")
            return try Primitive(descriptor: descriptor!)
        }
        let target = Buffer(desc: to)
        try execute(primitive, [Argument(DNNL_ARG_FROM, from, source), Argument(DNNL_ARG_TO, to, target.storage)])
        return target.storage
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
        let source = x.plain()
        var shape = source.shape
        shape[axis] = count
        var offsets = [Int](repeating: 0, count: shape.count)
        offsets[axis] = start
        var full = desc(source.shape), sub = Desc()
        try check(dnnl_memory_desc_init_submemory(&sub, &full, dims(shape), dims(offsets)), "slice sub-memory")
        return Tensor(shape: shape, format: .plain, storage: try reorder(source.storage, from: sub, to: desc(shape)))
    }

    static func descKey(_ desc: Desc) -> String {
        var desc = desc
        let rank = Int(desc.ndims)
        let dims = withUnsafeBytes(of: &desc.dims) { Array($0.bindMemory(to: Int64.self).prefix(rank)) }
        let size = dnnl_memory_desc_get_size(&desc)
        // Equal descriptors have equal dims, size and format details; the hash of the raw bytes
        // distinguishes layouts with the same dims.
        let bytes = withUnsafeBytes(of: &desc) { Array($0) }
        var hasher = Hasher()
        hasher.combine(bytes)
        return "\(dims)/\(size)/\(hasher.finalize())"
    }

    // MARK: - Post-ops

    /// Operations oneDNN applies to a convolution's output before writing it.
    struct PostOps {
        /// Added element-wise to the output (a residual connection), same shape as the output.
        var residual: Tensor?
        /// Apply ReLU last.
        var relu = false

        var key: String { "\(residual.map { "res\($0.format)" } ?? "")\(relu ? "relu" : "")" }
    }

    private static func attributes(for postOps: PostOps, outputDesc: Desc?) throws -> dnnl_primitive_attr_t? {
        guard postOps.residual != nil || postOps.relu else { return nil }
        var attributes: dnnl_primitive_attr_t?
        var list: dnnl_post_ops_t?
        try check(dnnl_primitive_attr_create(&attributes), "attributes")
        try check(dnnl_post_ops_create(&list), "post-ops")
        defer { dnnl_post_ops_destroy(list) }
        if let residual = postOps.residual {
            var residualDesc = outputDesc ?? desc(residual.shape, residual.format)
            try check(dnnl_post_ops_append_binary(list, dnnl_binary_add, &residualDesc), "binary post-op")
        }
        if postOps.relu {
            try check(dnnl_post_ops_append_eltwise(list, 1, dnnl_eltwise_relu, 0, 0), "relu post-op")
        }
        try check(dnnl_primitive_attr_set_post_ops(attributes, list), "post-op attributes")
        return attributes
    }

    private static let firstPostOpSource: Int32 = 16384 | DNNL_ARG_SRC_1

    /// Strides, kernel, dilations (oneDNN counts the gaps, d − 1) and both paddings of a sliding
    /// window, as the `dnnl_dims_t` arguments descriptors take.
    struct Window {
        let strides: [Int64]
        let kernel: [Int64]
        let dilation: [Int64]
        let left: [Int64]
        let right: [Int64]

        init(stride: [Int], kernel: [Int], dilation: [Int], padding: [Int], rightPadding: [Int]) {
            strides = dims(stride)
            self.kernel = dims(kernel)
            self.dilation = dims(dilation.map { $0 - 1 })
            left = dims(padding)
            right = dims(rightPadding)
        }
    }

    // MARK: - Convolution

    private static func convolutionKey(_ kind: String, input: [Int], weight: [Int], output: [Int],
                                       geometry: ConvolutionGeometry, bias: Bool, extra: String = "") -> String {
        "conv-\(kind)|\(input)|\(weight)|\(output)|\(geometry.stride)|\(geometry.padding)|\(geometry.dilation)|g\(geometry.groups)|b\(bias)|\(extra)"
    }

    /// oneDNN's weight dims: `[groups, O/groups, I/groups, k…]` for grouped convolutions.
    private static func weightDims(_ weightShape: [Int], groups: Int) -> [Int] {
        guard groups > 1 else { return weightShape }
        return [groups, weightShape[0] / groups] + weightShape.dropFirst()
    }

    private static func forwardConvolutionDesc(input: [Int], weight: [Int], output: [Int], bias: Bool,
                                               geometry: ConvolutionGeometry, propagation: dnnl_prop_kind_t,
                                               inputDesc: Desc) throws -> dnnl_convolution_desc_t {
        var op = dnnl_convolution_desc_t()
        var src = inputDesc
        var weights = anyDesc(weightDims(weight, groups: geometry.groups))
        var biasDesc = desc([weight[0]])
        var dst = anyDesc(output)
        let window = geometry.oneDNNWindow(input: input, weight: weight, output: output)
        try check(optionalPointer(to: &biasDesc, if: bias) { biasPointer in
            dnnl_dilated_convolution_forward_desc_init(
                &op, propagation, dnnl_convolution_direct, &src, &weights, biasPointer, &dst,
                window.strides, window.dilation, window.left, window.right)
        }, "convolution descriptor")
        return op
    }

    /// The forward primitive; the source layout is left to oneDNN unless the input is plain with few
    /// channels (the first layer), where reordering the input would cost more than it saves.
    private static func convolutionForwardPrimitive(input: [Int], weight: [Int], output: [Int], bias: Bool,
                                                    geometry: ConvolutionGeometry, postOps: PostOps) throws -> Primitive {
        let key = convolutionKey("fwd", input: input, weight: weight, output: output, geometry: geometry,
                                 bias: bias, extra: postOps.key)
        return try cached(key) {
            var op = try forwardConvolutionDesc(input: input, weight: weight, output: output, bias: bias,
                                                geometry: geometry, propagation: dnnl_forward_training,
                                                inputDesc: anyDesc(input))
            let probe = try Primitive(op: &op, what: "convolution \(input)→\(output)")
            let chosenOutput = probe.desc(dnnl_query_dst_md)
            let attributes = try attributes(for: postOps, outputDesc: chosenOutput)
            defer { if let attributes { dnnl_primitive_attr_destroy(attributes) } }
            if attributes == nil { return probe }
            return try Primitive(op: &op, attributes: attributes, what: "fused convolution \(input)→\(output)")
        }
    }

    /// Weights reordered into `target`, cached while the source tensor is unchanged. A tensor made by
    /// `Tensor.transformed(by:)` is derived from its source's reordered copy instead, and cached
    /// under the source and the transform's name.
    static func prepared(_ weight: Tensor, as target: Desc, sourceDesc: Desc, key: String) throws -> Buffer {
        try runtime.withLock {
            if let derivation = runtime.derivations[ObjectIdentifier(weight.storage)],
               derivation.derived === weight.storage, derivation.derivedVersion == weight.storage.version,
               derivation.source.storage.version == derivation.sourceVersion {
                let source = derivation.source
                return try cachedPreparation(of: source.storage, as: target, key: "\(key)|\(derivation.transform.name)") {
                    let base = try prepared(source, as: target, sourceDesc: sourceDesc, key: key)
                    let storage = TensorStorage(count: base.storage.count)
                    derivation.transform.apply(base.storage.pointer, to: storage.pointer, count: storage.count)
                    return storage
                }
            }
            return try cachedPreparation(of: weight.storage, as: target, key: key) {
                try reorder(weight.plain().storage, from: sourceDesc, to: target)
            }
        }
    }

    /// The prepared buffer cached for `source` under `key` while `source` is unchanged, made by
    /// `make` otherwise. Call with the runtime lock held.
    private static func cachedPreparation(of source: TensorStorage, as target: Desc, key: String,
                                          _ make: () throws -> TensorStorage) rethrows -> Buffer {
        let cacheKey = "\(key)|\(ObjectIdentifier(source))"
        if let cached = runtime.preparedWeights[cacheKey], cached.source === source, cached.version == source.version {
            return cached.buffer
        }
        let buffer = Buffer(desc: target, storage: try make())
        runtime.preparedWeights = runtime.preparedWeights.filter { $0.value.source != nil }
        if runtime.preparedWeights.count > 512 { runtime.preparedWeights.removeAll() }
        runtime.preparedWeights[cacheKey] = PreparedWeights(source: source, version: source.version, buffer: buffer)
        return buffer
    }

    /// A convolution weight (PyTorch layout) in the layout a primitive chose, cached per version.
    private static func preparedConvolutionWeights(_ weight: Tensor, as target: Desc, groups: Int) throws -> Buffer {
        try prepared(weight, as: target, sourceDesc: desc(weightDims(weight.shape, groups: groups)),
                     key: "conv-w|\(descKey(target))")
    }

    /// N-d convolution (1, 2 or 3 spatial dims) with optional bias and fused post-ops.
    static func convolutionForward(_ x: Tensor, weight: Tensor, bias: Tensor?, geometry: ConvolutionGeometry,
                                   outputShape: [Int], postOps: PostOps = PostOps()) throws -> Tensor {
        let primitive = try convolutionForwardPrimitive(input: x.shape, weight: weight.shape, output: outputShape,
                                                        bias: bias != nil, geometry: geometry, postOps: postOps)
        let srcDesc = primitive.desc(dnnl_query_src_md)
        let weightsDesc = primitive.desc(dnnl_query_weights_md)
        let dstDesc = primitive.desc(dnnl_query_dst_md)
        let weights = try preparedConvolutionWeights(weight, as: weightsDesc, groups: geometry.groups)
        let output = Buffer(desc: dstDesc)
        var arguments = [
            Argument(DNNL_ARG_SRC, srcDesc, try conform(x, to: srcDesc)),
            Argument(DNNL_ARG_WEIGHTS, weightsDesc, weights.storage),
            Argument(DNNL_ARG_DST, dstDesc, output.storage),
        ]
        if let bias {
            arguments.append(Argument(DNNL_ARG_BIAS, desc([bias.count]), bias.plain().storage))
        }
        if let residual = postOps.residual {
            arguments.append(Argument(firstPostOpSource, dstDesc, try conform(residual, to: dstDesc)))
        }
        try execute(primitive, arguments)
        return tensor(output.storage, shape: outputShape, chosen: dstDesc)
    }

    /// The backward-data primitive of a convolution (created with its forward one as the hint).
    private static func convolutionBackwardDataPrimitive(input: [Int], weight: [Int], output: [Int],
                                                         geometry: ConvolutionGeometry) throws -> Primitive {
        let forward = try convolutionForwardPrimitive(input: input, weight: weight, output: output,
                                                      bias: false, geometry: geometry, postOps: PostOps())
        let key = convolutionKey("bwd-data", input: input, weight: weight, output: output, geometry: geometry, bias: false)
        return try cached(key) {
            var op = dnnl_convolution_desc_t()
            var diffSrc = input[1] < 16 ? desc(input) : anyDesc(input)
            var weights = anyDesc(weightDims(weight, groups: geometry.groups))
            var diffDst = anyDesc(output)
            let window = geometry.oneDNNWindow(input: input, weight: weight, output: output)
            try check(dnnl_dilated_convolution_backward_data_desc_init(
                &op, dnnl_convolution_direct, &diffSrc, &weights, &diffDst,
                window.strides, window.dilation, window.left, window.right), "convolution backward-data descriptor")
            return try Primitive(op: &op, hint: forward, what: "convolution backward-data \(input)")
        }
    }

    /// Gradient of a convolution with respect to its input.
    static func convolutionBackwardData(_ gradOutput: Tensor, weight: Tensor, inputShape: [Int],
                                        geometry: ConvolutionGeometry) throws -> Tensor {
        let primitive = try convolutionBackwardDataPrimitive(input: inputShape, weight: weight.shape,
                                                             output: gradOutput.shape, geometry: geometry)
        let diffSrcDesc = primitive.desc(dnnl_query_diff_src_md)
        let weightsDesc = primitive.desc(dnnl_query_weights_md)
        let diffDstDesc = primitive.desc(dnnl_query_diff_dst_md)
        let weights = try preparedConvolutionWeights(weight, as: weightsDesc, groups: geometry.groups)
        let gradInput = Buffer(desc: diffSrcDesc)
        try execute(primitive, [
            Argument(DNNL_ARG_DIFF_DST, diffDstDesc, try conform(gradOutput, to: diffDstDesc)),
            Argument(DNNL_ARG_WEIGHTS, weightsDesc, weights.storage),
            Argument(DNNL_ARG_DIFF_SRC, diffSrcDesc, gradInput.storage),
        ])
        return tensor(gradInput.storage, shape: inputShape, chosen: diffSrcDesc)
    }

    /// Gradients of a convolution with respect to its weight (plain, PyTorch shape) and bias.
    static func convolutionBackwardWeights(_ x: Tensor, gradOutput: Tensor, weightShape: [Int],
                                           geometry: ConvolutionGeometry, bias: Bool) throws -> (weight: Tensor, bias: Tensor?) {
        let forward = try convolutionForwardPrimitive(input: x.shape, weight: weightShape, output: gradOutput.shape,
                                                      bias: bias, geometry: geometry, postOps: PostOps())
        let key = convolutionKey("bwd-weights", input: x.shape, weight: weightShape, output: gradOutput.shape,
                                 geometry: geometry, bias: bias)
        let oneDNNWeightDims = weightDims(weightShape, groups: geometry.groups)
        let primitive = try cached(key) {
            var op = dnnl_convolution_desc_t()
            var src = anyDesc(x.shape)
            var diffWeights = anyDesc(oneDNNWeightDims)
            var diffBias = desc([weightShape[0]])
            var diffDst = anyDesc(gradOutput.shape)
            let window = geometry.oneDNNWindow(input: x.shape, weight: weightShape, output: gradOutput.shape)
            try check(optionalPointer(to: &diffBias, if: bias) { biasPointer in
                dnnl_dilated_convolution_backward_weights_desc_init(
                    &op, dnnl_convolution_direct, &src, &diffWeights, biasPointer, &diffDst,
                    window.strides, window.dilation, window.left, window.right)
            }, "convolution backward-weights descriptor")
            return try Primitive(op: &op, hint: forward, what: "convolution backward-weights \(weightShape)")
        }
        let srcDesc = primitive.desc(dnnl_query_src_md)
        let diffDstDesc = primitive.desc(dnnl_query_diff_dst_md)
        let diffWeightsDesc = primitive.desc(dnnl_query_diff_weights_md)
        let gradWeightBuffer = Buffer(desc: diffWeightsDesc)
        let gradBias = bias ? Tensor(uninitialized: [weightShape[0]]) : nil
        var arguments = [
            Argument(DNNL_ARG_SRC, srcDesc, try conform(x, to: srcDesc)),
            Argument(DNNL_ARG_DIFF_DST, diffDstDesc, try conform(gradOutput, to: diffDstDesc)),
            Argument(DNNL_ARG_DIFF_WEIGHTS, diffWeightsDesc, gradWeightBuffer.storage),
        ]
        if let gradBias {
            arguments.append(Argument(DNNL_ARG_DIFF_BIAS, desc([weightShape[0]]), gradBias.storage))
        }
        try execute(primitive, arguments)
        let plainWeights = desc(oneDNNWeightDims)
        let gradWeight = equal(diffWeightsDesc, plainWeights)
            ? gradWeightBuffer.storage
            : try reorder(gradWeightBuffer.storage, from: diffWeightsDesc, to: plainWeights)
        return (Tensor(shape: weightShape, format: .plain, storage: gradWeight), gradBias)
    }

    /// The bare forward or backward-data primitive of a convolution, bound to fresh buffers in the
    /// layouts it chose (contents unset) and a scratchpad of its own.
    static func bareConvolution(input: [Int], weight: [Int], output: [Int], geometry: ConvolutionGeometry,
                                backwardData: Bool) throws -> Execution {
        let primitive = backwardData
            ? try convolutionBackwardDataPrimitive(input: input, weight: weight, output: output, geometry: geometry)
            : try convolutionForwardPrimitive(input: input, weight: weight, output: output, bias: false,
                                              geometry: geometry, postOps: PostOps())
        let slots = backwardData ? [DNNL_ARG_DIFF_DST, DNNL_ARG_WEIGHTS, DNNL_ARG_DIFF_SRC]
                                 : [DNNL_ARG_SRC, DNNL_ARG_WEIGHTS, DNNL_ARG_DST]
        let arguments = slots.map { slot in
            let buffer = Buffer(desc: primitive.desc(dnnl_query_exec_arg_md, slot))
            return Argument(slot, buffer.desc, buffer.storage)
        }
        return try Execution(primitive, arguments, scratchpad: Execution.scratchpad(for: primitive))
    }

    // MARK: - Pooling

    /// What a pooling forward pass leaves for its backward pass (max pooling's argmax workspace).
    struct PoolingWorkspace {
        let buffer: Buffer?
    }

    private static func poolingAlgorithm(_ kind: PoolingKind) -> dnnl_alg_kind_t {
        switch kind {
        case .max: return dnnl_pooling_max
        case .average(countIncludePad: true): return dnnl_pooling_avg_include_padding
        case .average(countIncludePad: false): return dnnl_pooling_avg_exclude_padding
        }
    }

    private static func poolingForwardPrimitive(input: Desc, inputShape: [Int], output: [Int],
                                                geometry: PoolingGeometry, kind: PoolingKind) throws -> Primitive {
        try cached("pool-fwd|\(descKey(input))|\(output)|\(geometry)|\(kind)") {
            var op = dnnl_pooling_v2_desc_t()
            var src = input
            var dst = anyDesc(output)
            let window = geometry.oneDNNWindow(input: inputShape, output: output)
            try check(dnnl_pooling_v2_forward_desc_init(&op, dnnl_forward_training, poolingAlgorithm(kind), &src, &dst,
                                                        window.strides, window.kernel, window.dilation, window.left, window.right),
                      "pooling descriptor")
            return try Primitive(op: &op, what: "pooling \(inputShape)→\(output)")
        }
    }

    /// Max or average pooling over the trailing spatial axes; keeps the input's layout.
    static func poolingForward(_ x: Tensor, outputShape: [Int], geometry: PoolingGeometry,
                               kind: PoolingKind) throws -> (output: Tensor, workspace: PoolingWorkspace) {
        let inputDesc = desc(x.shape, x.format)
        let primitive = try poolingForwardPrimitive(input: inputDesc, inputShape: x.shape, output: outputShape,
                                                    geometry: geometry, kind: kind)
        let dstDesc = primitive.desc(dnnl_query_dst_md)
        let output = Buffer(desc: dstDesc)
        var arguments = [Argument(DNNL_ARG_SRC, inputDesc, x.storage), Argument(DNNL_ARG_DST, dstDesc, output.storage)]
        var workspace: Buffer?
        if case .max = kind {
            let workspaceDesc = primitive.desc(dnnl_query_workspace_md)
            let buffer = Buffer(desc: workspaceDesc)
            arguments.append(Argument(DNNL_ARG_WORKSPACE, workspaceDesc, buffer.storage))
            workspace = buffer
        }
        try execute(primitive, arguments)
        return (tensor(output.storage, shape: outputShape, chosen: dstDesc), PoolingWorkspace(buffer: workspace))
    }

    /// Gradient of pooling with respect to its input (max: to the argmax; average: spread evenly).
    static func poolingBackward(_ gradOutput: Tensor, input: Tensor, geometry: PoolingGeometry, kind: PoolingKind,
                                workspace: PoolingWorkspace) throws -> Tensor {
        let inputDesc = desc(input.shape, input.format)
        let forward = try poolingForwardPrimitive(input: inputDesc, inputShape: input.shape, output: gradOutput.shape,
                                                  geometry: geometry, kind: kind)
        let dstDesc = forward.desc(dnnl_query_dst_md)
        let primitive = try cached("pool-bwd|\(descKey(inputDesc))|\(gradOutput.shape)|\(geometry)|\(kind)") {
            var op = dnnl_pooling_v2_desc_t()
            var diffSrc = inputDesc
            var diffDst = dstDesc
            let window = geometry.oneDNNWindow(input: input.shape, output: gradOutput.shape)
            try check(dnnl_pooling_v2_backward_desc_init(&op, poolingAlgorithm(kind), &diffSrc, &diffDst,
                                                         window.strides, window.kernel, window.dilation, window.left, window.right),
                      "pooling backward descriptor")
            return try Primitive(op: &op, hint: forward, what: "pooling backward \(input.shape)")
        }
        let gradInput = Buffer(desc: inputDesc)
        var arguments = [
            Argument(DNNL_ARG_DIFF_DST, dstDesc, try conform(gradOutput, to: dstDesc)),
            Argument(DNNL_ARG_DIFF_SRC, inputDesc, gradInput.storage),
        ]
        if let buffer = workspace.buffer {
            arguments.append(Argument(DNNL_ARG_WORKSPACE, buffer.desc, buffer.storage))
        }
        try execute(primitive, arguments)
        return Tensor(shape: input.shape, format: input.format, storage: gradInput.storage)
    }

    // MARK: - Batch normalisation

    private static func batchNormPrimitive(_ data: Desc, epsilon: Float, flags: UInt32,
                                           propagation: dnnl_prop_kind_t) throws -> Primitive {
        try cached("bn|\(descKey(data))|\(epsilon)|\(flags)|\(propagation.rawValue)") {
            var op = dnnl_batch_normalization_desc_t()
            var data = data
            try check(dnnl_batch_normalization_forward_desc_init(&op, propagation, &data, epsilon, flags),
                      "batch norm descriptor")
            return try Primitive(op: &op, what: "batch norm")
        }
    }

    private static let scaleShiftFlags = dnnl_use_scale.rawValue | dnnl_use_shift.rawValue

    /// Batch norm with given statistics: `y = (x − mean)/√(var + ε)·scale + shift`, per channel (axis 1).
    static func batchNormInference(_ x: Tensor, mean: Tensor, variance: Tensor, scale: Tensor, shift: Tensor,
                                   epsilon: Float) throws -> Tensor {
        let data = desc(x.shape, x.format)
        let primitive = try batchNormPrimitive(data, epsilon: epsilon,
                                               flags: scaleShiftFlags | dnnl_use_global_stats.rawValue,
                                               propagation: dnnl_forward_inference)
        let channels = desc([x.shape[1]])
        let output = Buffer(desc: data)
        try execute(primitive, [
            Argument(DNNL_ARG_SRC, data, x.storage), Argument(DNNL_ARG_DST, data, output.storage),
            Argument(DNNL_ARG_MEAN, channels, mean.plain().storage),
            Argument(DNNL_ARG_VARIANCE, channels, variance.plain().storage),
            Argument(DNNL_ARG_SCALE, channels, scale.plain().storage),
            Argument(DNNL_ARG_SHIFT, channels, shift.plain().storage),
        ])
        return Tensor(shape: x.shape, format: x.format, storage: output.storage)
    }

    /// Batch norm with the batch's own statistics; returns the output, the batch mean and the
    /// biased batch variance.
    static func batchNormTraining(_ x: Tensor, scale: Tensor, shift: Tensor,
                                  epsilon: Float) throws -> (output: Tensor, mean: Tensor, variance: Tensor) {
        let data = desc(x.shape, x.format)
        let primitive = try batchNormPrimitive(data, epsilon: epsilon, flags: scaleShiftFlags,
                                               propagation: dnnl_forward_training)
        let channels = desc([x.shape[1]])
        let output = Buffer(desc: data)
        let mean = Tensor(uninitialized: [x.shape[1]])
        let variance = Tensor(uninitialized: [x.shape[1]])
        try execute(primitive, [
            Argument(DNNL_ARG_SRC, data, x.storage), Argument(DNNL_ARG_DST, data, output.storage),
            Argument(DNNL_ARG_MEAN, channels, mean.storage), Argument(DNNL_ARG_VARIANCE, channels, variance.storage),
            Argument(DNNL_ARG_SCALE, channels, scale.plain().storage),
            Argument(DNNL_ARG_SHIFT, channels, shift.plain().storage),
        ])
        return (Tensor(shape: x.shape, format: x.format, storage: output.storage), mean, variance)
    }

    /// Gradients of batch norm with respect to input, scale and shift. With `globalStatistics` the
    /// statistics are constants (inference mode); otherwise they are the batch's own.
    static func batchNormBackward(_ gradOutput: Tensor, input x: Tensor, mean: Tensor, variance: Tensor,
                                  scale: Tensor, shift: Tensor, epsilon: Float,
                                  globalStatistics: Bool) throws -> (input: Tensor, scale: Tensor, shift: Tensor) {
        let data = desc(x.shape, x.format)
        let flags = scaleShiftFlags | (globalStatistics ? dnnl_use_global_stats.rawValue : 0)
        let forward = try batchNormPrimitive(data, epsilon: epsilon, flags: flags, propagation: dnnl_forward_training)
        let primitive = try cached("bn-bwd|\(descKey(data))|\(epsilon)|\(flags)") {
            var op = dnnl_batch_normalization_desc_t()
            var diff = data, source = data
            try check(dnnl_batch_normalization_backward_desc_init(&op, dnnl_backward, &diff, &source, epsilon, flags),
                      "batch norm backward descriptor")
            return try Primitive(op: &op, hint: forward, what: "batch norm backward")
        }
        let channels = desc([x.shape[1]])
        let gradInput = Buffer(desc: data)
        let gradScale = Tensor(uninitialized: [x.shape[1]])
        let gradShift = Tensor(uninitialized: [x.shape[1]])
        try execute(primitive, [
            Argument(DNNL_ARG_SRC, data, x.storage),
            Argument(DNNL_ARG_DIFF_DST, data, try conform(gradOutput, to: data)),
            Argument(DNNL_ARG_MEAN, channels, mean.plain().storage),
            Argument(DNNL_ARG_VARIANCE, channels, variance.plain().storage),
            Argument(DNNL_ARG_SCALE, channels, scale.plain().storage),
            Argument(DNNL_ARG_SHIFT, channels, shift.plain().storage),
            Argument(DNNL_ARG_DIFF_SRC, data, gradInput.storage),
            Argument(DNNL_ARG_DIFF_SCALE, channels, gradScale.storage),
            Argument(DNNL_ARG_DIFF_SHIFT, channels, gradShift.storage),
        ])
        return (Tensor(shape: x.shape, format: x.format, storage: gradInput.storage), gradScale, gradShift)
    }

    // MARK: - Layer normalisation

    /// The layer norm primitive over the last axis of `rows × width` data, with scale and shift.
    private static func layerNormPrimitive(rows: Int, width: Int, epsilon: Float,
                                           propagation: dnnl_prop_kind_t) throws -> Primitive {
        try cached("ln|\(rows)|\(width)|\(epsilon)|\(propagation.rawValue)") {
            var op = dnnl_layer_normalization_desc_t()
            var data = desc([rows, width])
            var statistics = desc([rows])
            try check(dnnl_layer_normalization_forward_desc_init(&op, propagation, &data, &statistics, epsilon,
                                                                 scaleShiftFlags),
                      "layer norm descriptor")
            return try Primitive(op: &op, what: "layer norm")
        }
    }

    /// Layer norm of the rows of a plain `rows × width` tensor: y = (x − μ)/√(σ² + ε)·scale + shift
    /// with μ and the biased σ² of each row, and `scale`, `shift` of shape `(width)`.
    static func layerNormInference(_ x: Tensor, scale: Tensor, shift: Tensor, epsilon: Float) throws -> Tensor {
        let primitive = try layerNormPrimitive(rows: x.shape[0], width: x.shape[1], epsilon: epsilon,
                                               propagation: dnnl_forward_inference)
        let output = Tensor(uninitialized: x.shape)
        try execute(primitive, layerNormArguments(x, output: output, scale: scale, shift: shift))
        return output
    }

    /// Layer norm as `layerNormInference`, also returning each row's mean and biased variance.
    static func layerNormTraining(_ x: Tensor, scale: Tensor, shift: Tensor,
                                  epsilon: Float) throws -> (output: Tensor, mean: Tensor, variance: Tensor) {
        let rows = x.shape[0]
        let primitive = try layerNormPrimitive(rows: rows, width: x.shape[1], epsilon: epsilon,
                                               propagation: dnnl_forward_training)
        let output = Tensor(uninitialized: x.shape)
        let mean = Tensor(uninitialized: [rows])
        let variance = Tensor(uninitialized: [rows])
        try execute(primitive, layerNormArguments(x, output: output, scale: scale, shift: shift) + [
            Argument(DNNL_ARG_MEAN, desc([rows]), mean.storage), Argument(DNNL_ARG_VARIANCE, desc([rows]), variance.storage),
        ])
        return (output, mean, variance)
    }

    /// The source, destination, scale and shift arguments of a layer norm forward pass.
    private static func layerNormArguments(_ x: Tensor, output: Tensor, scale: Tensor, shift: Tensor) -> [Argument] {
        let (data, channels) = (desc(x.shape), desc([x.shape[1]]))
        return [
            Argument(DNNL_ARG_SRC, data, x.plain().storage), Argument(DNNL_ARG_DST, data, output.storage),
            Argument(DNNL_ARG_SCALE, channels, scale.plain().storage),
            Argument(DNNL_ARG_SHIFT, channels, shift.plain().storage),
        ]
    }

    /// Gradients of layer norm over the rows of a plain `rows × width` tensor with respect to its
    /// input, scale and shift, given the rows' `mean` and biased `variance` from the forward pass.
    /// (oneDNN 2.6 implements no data-only backward pass of a layer norm with scale: the parameter
    /// gradients always come along.)
    static func layerNormBackward(_ gradOutput: Tensor, input x: Tensor, mean: Tensor, variance: Tensor, scale: Tensor,
                                  shift: Tensor, epsilon: Float) throws -> (input: Tensor, scale: Tensor, shift: Tensor) {
        let (rows, width) = (x.shape[0], x.shape[1])
        let forward = try layerNormPrimitive(rows: rows, width: width, epsilon: epsilon, propagation: dnnl_forward_training)
        let primitive = try cached("ln-bwd|\(rows)|\(width)|\(epsilon)") {
            var op = dnnl_layer_normalization_desc_t()
            var diff = desc([rows, width]), source = desc([rows, width])
            var statistics = desc([rows])
            try check(dnnl_layer_normalization_backward_desc_init(&op, dnnl_backward, &diff, &source, &statistics, epsilon,
                                                                  scaleShiftFlags),
                      "layer norm backward descriptor")
            return try Primitive(op: &op, hint: forward, what: "layer norm backward")
        }
        let (data, channels, perRow) = (desc([rows, width]), desc([width]), desc([rows]))
        let gradInput = Tensor(uninitialized: x.shape)
        let gradScale = Tensor(uninitialized: [width])
        let gradShift = Tensor(uninitialized: [width])
        try execute(primitive, [
            Argument(DNNL_ARG_SRC, data, x.plain().storage),
            Argument(DNNL_ARG_DIFF_DST, data, gradOutput.plain().storage),
            Argument(DNNL_ARG_MEAN, perRow, mean.plain().storage),
            Argument(DNNL_ARG_VARIANCE, perRow, variance.plain().storage),
            Argument(DNNL_ARG_SCALE, channels, scale.plain().storage),
            Argument(DNNL_ARG_SHIFT, channels, shift.plain().storage),
            Argument(DNNL_ARG_DIFF_SRC, data, gradInput.storage),
            Argument(DNNL_ARG_DIFF_SCALE, channels, gradScale.storage),
            Argument(DNNL_ARG_DIFF_SHIFT, channels, gradShift.storage),
        ])
        return (gradInput, gradScale, gradShift)
    }

    // MARK: - Element-wise

    /// Element-wise functions oneDNN computes.
    enum Eltwise {
        case relu, sigmoid, tanh
        /// max(x, 0) + slope·min(x, 0): oneDNN's relu with α = slope.
        case leakyRelu(slope: Float)
        /// x·Φ(x) = ½x(1 + erf(x/√2)).
        case geluErf
        /// ½x(1 + tanh(√(2/π)(x + 0.044715x³))).
        case geluTanh
        /// x·max(0, min(1, x/6 + ½)) (oneDNN 2.6 fixes the slope and offset; α and β are ignored).
        case hardSwish
        /// scale·x + shift.
        case linear(scale: Float, shift: Float)
        /// max(lower, min(upper, x)), with derivative 1 strictly between the bounds and 0 elsewhere
        /// (oneDNN's `clip_v2`).
        case clip(lower: Float, upper: Float)
        /// x^exponent (oneDNN's pow with α = 1, β = exponent).
        case power(exponent: Float)
        case sqrt

        var forwardAlgorithm: dnnl_alg_kind_t {
            switch self {
            case .relu, .leakyRelu: return dnnl_eltwise_relu
            case .sigmoid: return dnnl_eltwise_logistic
            case .tanh: return dnnl_eltwise_tanh
            case .geluErf: return dnnl_eltwise_gelu_erf
            case .geluTanh: return dnnl_eltwise_gelu_tanh
            case .hardSwish: return dnnl_eltwise_hardswish
            case .linear: return dnnl_eltwise_linear
            case .clip: return dnnl_eltwise_clip_v2
            case .power: return dnnl_eltwise_pow
            case .sqrt: return dnnl_eltwise_sqrt
            }
        }

        /// The variant whose backward pass reads the forward output instead of the input (valid
        /// for leaky ReLU with a non-negative slope, which keeps the sign); nil where oneDNN has
        /// none and the backward pass reads the input.
        var fromOutputAlgorithm: dnnl_alg_kind_t? {
            switch self {
            case .relu, .leakyRelu: return dnnl_eltwise_relu_use_dst_for_bwd
            case .sigmoid: return dnnl_eltwise_logistic_use_dst_for_bwd
            case .tanh: return dnnl_eltwise_tanh_use_dst_for_bwd
            case .clip: return dnnl_eltwise_clip_v2_use_dst_for_bwd
            case .sqrt: return dnnl_eltwise_sqrt_use_dst_for_bwd
            case .geluErf, .geluTanh, .hardSwish, .linear, .power: return nil
            }
        }

        /// oneDNN's α parameter.
        var alpha: Float {
            switch self {
            case .leakyRelu(let slope): return slope
            case .linear(let scale, _): return scale
            case .clip(let lower, _): return lower
            case .power: return 1
            case .relu, .sigmoid, .tanh, .geluErf, .geluTanh, .hardSwish, .sqrt: return 0
            }
        }

        /// oneDNN's β parameter.
        var beta: Float {
            switch self {
            case .linear(_, let shift): return shift
            case .clip(_, let upper): return upper
            case .power(let exponent): return exponent
            case .relu, .sigmoid, .tanh, .leakyRelu, .geluErf, .geluTanh, .hardSwish, .sqrt: return 0
            }
        }
    }

    private static func eltwisePrimitive(_ algorithm: dnnl_alg_kind_t, _ function: Eltwise, _ data: Desc) throws -> Primitive {
        try cached("eltwise|\(algorithm.rawValue)|\(function.alpha)|\(function.beta)|\(descKey(data))") {
            var op = dnnl_eltwise_desc_t()
            var data = data
            try check(dnnl_eltwise_forward_desc_init(&op, dnnl_forward_training, algorithm, &data, function.alpha,
                                                     function.beta),
                      "eltwise descriptor")
            return try Primitive(op: &op, what: "eltwise")
        }
    }

    /// `f(x)` element-wise, in `x`'s layout.
    static func eltwiseForward(_ x: Tensor, _ function: Eltwise) throws -> Tensor {
        let data = desc(x.shape, x.format)
        let primitive = try eltwisePrimitive(function.forwardAlgorithm, function, data)
        let output = Buffer(desc: data)
        try execute(primitive, [Argument(DNNL_ARG_SRC, data, x.storage), Argument(DNNL_ARG_DST, data, output.storage)])
        return Tensor(shape: x.shape, format: x.format, storage: output.storage)
    }

    /// `g · f′` where `f′` is computed from the forward output `y` (ReLU: `[y > 0]`, sigmoid:
    /// `y(1 − y)`, tanh: `1 − y²`, clip: `[lower < y < upper]`, sqrt: `1/(2y)`). The result has
    /// `y`'s layout.
    static func eltwiseBackward(_ gradOutput: Tensor, output y: Tensor, _ function: Eltwise) throws -> Tensor {
        guard let algorithm = function.fromOutputAlgorithm else {
            preconditionFailure("\(function) has no backward pass from its output")
        }
        return try eltwiseBackward(gradOutput, values: y, slot: DNNL_ARG_DST, algorithm, function)
    }

    /// `g · f′(x)` computed from the forward input `x` (GELU, hard swish, linear, pow). The result
    /// has `x`'s layout.
    static func eltwiseBackward(_ gradOutput: Tensor, input x: Tensor, _ function: Eltwise) throws -> Tensor {
        try eltwiseBackward(gradOutput, values: x, slot: DNNL_ARG_SRC, function.forwardAlgorithm, function)
    }

    /// The backward primitive of `algorithm`, reading the forward input or output `values` (in `slot`).
    private static func eltwiseBackward(_ gradOutput: Tensor, values: Tensor, slot: Int32, _ algorithm: dnnl_alg_kind_t,
                                        _ function: Eltwise) throws -> Tensor {
        let data = desc(values.shape, values.format)
        let forward = try eltwisePrimitive(algorithm, function, data)
        let primitive = try cached("eltwise-bwd|\(algorithm.rawValue)|\(function.alpha)|\(function.beta)|\(descKey(data))") {
            var op = dnnl_eltwise_desc_t()
            var diff = data, source = data
            try check(dnnl_eltwise_backward_desc_init(&op, algorithm, &diff, &source, function.alpha, function.beta),
                      "eltwise backward descriptor")
            return try Primitive(op: &op, hint: forward, what: "eltwise backward")
        }
        let gradInput = Buffer(desc: data)
        try execute(primitive, [
            Argument(slot, data, values.storage),
            Argument(DNNL_ARG_DIFF_DST, data, try conform(gradOutput, to: data)),
            Argument(DNNL_ARG_DIFF_SRC, data, gradInput.storage),
        ])
        return Tensor(shape: values.shape, format: values.format, storage: gradInput.storage)
    }

    // MARK: - Binary

    /// Element-wise binary operations.
    enum BinaryOperation: String {
        case add, mul, sub, div

        var algorithm: dnnl_alg_kind_t {
            switch self {
            case .add: return dnnl_binary_add
            case .mul: return dnnl_binary_mul
            case .sub: return dnnl_binary_sub
            case .div: return dnnl_binary_div
            }
        }
    }

    /// `a ∘ b` where `b` broadcasts to `a`'s shape (size-1 axes, equal rank). The result has `a`'s
    /// layout; `b` is brought into it when the shapes are equal.
    static func binary(_ a: Tensor, _ b: Tensor, _ operation: BinaryOperation) throws -> Tensor {
        precondition(a.rank == b.rank, "binary operands need equal rank (\(a.shape), \(b.shape))")
        let aDesc = desc(a.shape, a.format)
        // Operands in different layouts send oneDNN to its reference kernel; one jit reorder is
        // far cheaper.
        let bTensor = a.shape == b.shape ? reorder(b, to: a.format) : b.plain()
        let bDesc = desc(bTensor.shape, bTensor.format)
        let primitive = try cached("binary|\(operation.rawValue)|\(descKey(aDesc))|\(descKey(bDesc))") {
            var op = dnnl_binary_desc_t()
            var src0 = aDesc, src1 = bDesc, dst = aDesc
            try check(dnnl_binary_desc_init(&op, operation.algorithm, &src0, &src1, &dst), "binary descriptor")
            return try Primitive(op: &op, what: "binary \(operation)")
        }
        let output = Buffer(desc: aDesc)
        try execute(primitive, [
            Argument(DNNL_ARG_SRC_0, aDesc, a.storage), Argument(DNNL_ARG_SRC_1, bDesc, bTensor.storage),
            Argument(DNNL_ARG_DST, aDesc, output.storage),
        ])
        return Tensor(shape: a.shape, format: a.format, storage: output.storage)
    }

    // MARK: - Softmax

    private static func softmaxPrimitive(_ data: Desc, axis: Int, log: Bool) throws -> Primitive {
        try cached("softmax|\(descKey(data))|\(axis)|\(log)") {
            var op = dnnl_softmax_v2_desc_t()
            var src = data, dst = data
            try check(dnnl_softmax_v2_forward_desc_init(&op, dnnl_forward_training, log ? dnnl_softmax_log : dnnl_softmax_accurate,
                                                        &src, &dst, Int32(axis)), "softmax descriptor")
            return try Primitive(op: &op, what: "softmax")
        }
    }

    /// Softmax (or log-softmax) along `axis`; plain layout.
    static func softmaxForward(_ x: Tensor, axis: Int, log: Bool) throws -> Tensor {
        let source = x.plain()
        let data = desc(source.shape)
        let primitive = try softmaxPrimitive(data, axis: axis, log: log)
        let output = Tensor(uninitialized: source.shape)
        try execute(primitive, [Argument(DNNL_ARG_SRC, data, source.storage), Argument(DNNL_ARG_DST, data, output.storage)])
        return output
    }

    /// Gradient of softmax (or log-softmax) from its output `y`.
    static func softmaxBackward(_ gradOutput: Tensor, output y: Tensor, axis: Int, log: Bool) throws -> Tensor {
        let data = desc(y.shape)
        let forward = try softmaxPrimitive(data, axis: axis, log: log)
        let primitive = try cached("softmax-bwd|\(descKey(data))|\(axis)|\(log)") {
            var op = dnnl_softmax_v2_desc_t()
            var diffSrc = data, diffDst = data, dst = data
            try check(dnnl_softmax_v2_backward_desc_init(&op, log ? dnnl_softmax_log : dnnl_softmax_accurate,
                                                         &diffSrc, &diffDst, &dst, Int32(axis)),
                      "softmax backward descriptor")
            return try Primitive(op: &op, hint: forward, what: "softmax backward")
        }
        let gradInput = Tensor(uninitialized: y.shape)
        try execute(primitive, [
            Argument(DNNL_ARG_DST, data, y.plain().storage),
            Argument(DNNL_ARG_DIFF_DST, data, gradOutput.plain().storage),
            Argument(DNNL_ARG_DIFF_SRC, data, gradInput.storage),
        ])
        return gradInput
    }

    // MARK: - Matrix multiplication

    /// A plain tensor viewed as a (batched) matrix through explicit dims and strides.
    struct MatrixView {
        let tensor: Tensor
        let dims: [Int]
        let strides: [Int]
        let offset: Int

        /// The tensor as stored, row-major.
        init(_ tensor: Tensor, dims: [Int]? = nil) {
            self.tensor = tensor.plain()
            self.dims = dims ?? tensor.shape
            strides = DNNL.rowMajorStrides(self.dims)
            offset = 0
        }

        init(_ tensor: Tensor, dims: [Int], strides: [Int], offset: Int = 0) {
            self.tensor = tensor.plain()
            self.dims = dims
            self.strides = strides
            self.offset = offset
        }

        /// The same matrix with its last two axes swapped (no copy).
        var transposed: MatrixView {
            var dims = self.dims, strides = self.strides
            dims.swapAt(dims.count - 1, dims.count - 2)
            strides.swapAt(strides.count - 1, strides.count - 2)
            return MatrixView(tensor, dims: dims, strides: strides, offset: offset)
        }

        var key: String { "\(dims)/\(strides)" }
    }

    /// `a × b (+ bias) (+ accumulate)`, batched over leading axes with broadcasting of size-1 batch
    /// axes. Returns a plain tensor of dims `[batch…, M, N]`.
    static func matmul(_ a: MatrixView, _ b: MatrixView, bias: Tensor? = nil, accumulate: Tensor? = nil) throws -> Tensor {
        precondition(a.dims.count == b.dims.count, "matmul operands need equal rank")
        let rank = a.dims.count
        var outputDims = zip(a.dims.prefix(rank - 2), b.dims.prefix(rank - 2)).map { max($0, $1) }
        outputDims += [a.dims[rank - 2], b.dims[rank - 1]]
        let biasDims = [Int](repeating: 1, count: rank - 1) + [outputDims[rank - 1]]
        let accumulates = accumulate != nil
        let primitive = try cached("matmul|\(a.key)|\(b.key)|\(bias != nil)|\(accumulates)") {
            var op = dnnl_matmul_desc_t()
            var src = desc(a.dims, strides: a.strides)
            var weights = desc(b.dims, strides: b.strides)
            var biasDesc = desc(biasDims)
            var dst = desc(outputDims)
            try check(optionalPointer(to: &biasDesc, if: bias != nil) { biasPointer in
                dnnl_matmul_desc_init(&op, &src, &weights, biasPointer, &dst)
            }, "matmul descriptor")
            guard accumulates else { return try Primitive(op: &op, what: "matmul \(a.dims)×\(b.dims)") }
            var attributes: dnnl_primitive_attr_t?
            var list: dnnl_post_ops_t?
            try check(dnnl_primitive_attr_create(&attributes), "attributes")
            defer { dnnl_primitive_attr_destroy(attributes) }
            try check(dnnl_post_ops_create(&list), "post-ops")
            defer { dnnl_post_ops_destroy(list) }
            try check(dnnl_post_ops_append_sum(list, 1), "sum post-op")
            try check(dnnl_primitive_attr_set_post_ops(attributes, list), "post-op attributes")
            return try Primitive(op: &op, attributes: attributes, what: "matmul \(a.dims)×\(b.dims)")
        }
        var output = accumulate.map { $0.plain() } ?? Tensor(uninitialized: outputDims)
        if accumulates {
            precondition(output.shape.reduce(1, *) == outputDims.reduce(1, *), "accumulator shape")
            output.withUnsafeMutableBufferPointer { _ in }
            output = output.reshaped(outputDims)
        }
        var arguments = [
            Argument(DNNL_ARG_SRC, desc(a.dims, strides: a.strides), a.tensor.storage, offset: a.offset),
            Argument(DNNL_ARG_WEIGHTS, desc(b.dims, strides: b.strides), b.tensor.storage, offset: b.offset),
            Argument(DNNL_ARG_DST, desc(outputDims), output.storage),
        ]
        if let bias {
            arguments.append(Argument(DNNL_ARG_BIAS, desc(biasDims), bias.plain().storage))
        }
        try execute(primitive, arguments)
        return output
    }

    // MARK: - Reduction and concatenation

    /// Sum or mean over the axes where `outputShape` has size 1 (equal rank); plain output.
    static func reduce(_ x: Tensor, to outputShape: [Int], mean: Bool) throws -> Tensor {
        let source = x.plain()
        if source.shape == outputShape { return source }
        let srcDesc = desc(source.shape)
        let dstDesc = desc(outputShape)
        let primitive = try cached("reduce|\(source.shape)|\(outputShape)|\(mean)") {
            var op = dnnl_reduction_desc_t()
            var src = srcDesc, dst = dstDesc
            try check(dnnl_reduction_desc_init(&op, mean ? dnnl_reduction_mean : dnnl_reduction_sum, &src, &dst, 0, 0),
                      "reduction descriptor")
            return try Primitive(op: &op, what: "reduction")
        }
        let output = Tensor(uninitialized: outputShape)
        try execute(primitive, [Argument(DNNL_ARG_SRC, srcDesc, source.storage), Argument(DNNL_ARG_DST, dstDesc, output.storage)])
        return output
    }

    /// Concatenation along `axis`; plain output.
    static func concat(_ parts: [Tensor], axis: Int) throws -> Tensor {
        let sources = parts.map { $0.plain() }
        var shape = sources[0].shape
        shape[axis] = sources.reduce(0) { $0 + $1.shape[axis] }
        var sourceDescs = sources.map { desc($0.shape) }
        let primitive = try cached("concat|\(sources.map(\.shape))|\(axis)") {
            var descriptor: dnnl_primitive_desc_t?
            var dst = desc(shape)
            try check(try withAttributes(nil) { attributes in
                dnnl_concat_primitive_desc_create(&descriptor, &dst, Int32(sources.count), Int32(axis),
                                                  &sourceDescs, attributes, runtime.engine)
            }, "concat")
            return try Primitive(descriptor: descriptor!)
        }
        let output = Tensor(uninitialized: shape)
        var arguments = sources.enumerated().map { index, source in
            Argument(DNNL_ARG_MULTIPLE_SRC + Int32(index), sourceDescs[index], source.storage)
        }
        arguments.append(Argument(DNNL_ARG_DST, desc(shape), output.storage))
        try execute(primitive, arguments)
        return output
    }

    // MARK: - Resampling

    /// Linear, bilinear or trilinear resampling of an `N × C × spatial…` tensor to `outputShape`
    /// (same N and C); plain output. Along an axis resized from `in` to `out`, output position `o`
    /// interpolates linearly at input coordinate `(o + 0.5)·in/out − 0.5` between its neighbours
    /// clamped into `[0, in − 1]` (see `Resampling.linear` for the exact arithmetic).
    static func linearResampling(_ x: Tensor, to outputShape: [Int]) throws -> Tensor {
        let source = x.plain()
        let srcDesc = desc(source.shape)
        let dstDesc = desc(outputShape)
        let primitive = try cached("resampling-linear|\(source.shape)|\(outputShape)") {
            var op = dnnl_resampling_desc_t()
            var src = srcDesc, dst = dstDesc
            try check(dnnl_resampling_forward_desc_init(&op, dnnl_forward_inference, dnnl_resampling_linear, nil, &src, &dst),
                      "resampling descriptor")
            return try Primitive(op: &op, what: "linear resampling \(source.shape)→\(outputShape)")
        }
        let output = Tensor(uninitialized: outputShape)
        try execute(primitive, [Argument(DNNL_ARG_SRC, srcDesc, source.storage), Argument(DNNL_ARG_DST, dstDesc, output.storage)])
        return output
    }
}

extension DNNL.Argument {
    init(_ slot: Int32, _ desc: DNNL.Desc, _ storage: TensorStorage, offset: Int) {
        self.slot = slot
        self.desc = desc
        self.pointer = UnsafeMutableRawPointer(storage.pointer + offset)
        self.owner = storage
    }
}

extension DNNL.Buffer {
    init(desc: DNNL.Desc, storage: TensorStorage) {
        self.desc = desc
        self.storage = storage
    }
}

extension ConvolutionGeometry {
    func oneDNNWindow(input: [Int], weight: [Int], output: [Int]) -> DNNL.Window {
        DNNL.Window(stride: stride, kernel: Array(weight.dropFirst(2)), dilation: dilation, padding: padding,
                    rightPadding: rightPadding(input: input, weight: weight, output: output))
    }
}

extension PoolingGeometry {
    func oneDNNWindow(input: [Int], output: [Int]) -> DNNL.Window {
        DNNL.Window(stride: stride, kernel: kernel, dilation: dilation, padding: padding,
                    rightPadding: rightPadding(input: input, output: output))
    }
}
