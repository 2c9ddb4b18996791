import CDNNL

extension DNNL {
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
}
