import CDNNL
import Foundation

/// The one bridge between the engine and oneDNN 2.6's C API: this file holds the runtime,
/// memory descriptors, primitive creation, caching and execution, and one `DNNL+…` file per
/// primitive family holds its kernels. No other files import `CDNNL`.
///
/// Every kernel takes and returns `Tensor`s. Activations may come back in the layout oneDNN
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

    /// The argument slot of the second source of the post-op at `index` (a binary post-op's operand).
    static func postOpSource(_ index: Int) -> Int32 {
        (DNNL_ARG_ATTR_MULTIPLE_POST_OP_BASE * Int32(index + 1)) | DNNL_ARG_SRC_1
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

    // MARK: - Sliding windows

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
