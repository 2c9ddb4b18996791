import STCore

/// The graph inputs of an ONNX model and the shapes the import works at.
enum ONNXGraphInputs {
    /// Inputs that are not initializers (files of IR < 4 list initializers as inputs too), with
    /// their shapes: `overrides[name]` when given, else the declared sizes, with a symbolic or
    /// missing batch size (axis 0) taken as 1. Any other unknown size is an error asking for
    /// `inputShapes`. Element types other than floating point are rejected.
    static func shapes(of graph: Onnx_GraphProto, initializers: Set<String>, overrides: [String: [Int]],
                       source: String) throws -> [(name: String, shape: [Int])] {
        let declared = graph.input.filter { !initializers.contains($0.name) }
        for name in overrides.keys where !declared.contains(where: { $0.name == name }) {
            throw STError.badInput(file: source, reason: "input shape given for '\(name)', which is not a graph input")
        }
        guard !declared.isEmpty else {
            throw STError.badInput(file: source, reason: "the graph has no inputs besides its initializers")
        }
        return try declared.map { info in
            guard case .tensorType(let tensor)? = info.type.value else {
                throw STError.badInput(file: source, reason: "graph input '\(info.name)' is not a tensor")
            }
            let floating: [Onnx_TensorProto.DataType] = [.undefined, .float, .float16, .double, .bfloat16]
            let type = Onnx_TensorProto.DataType(rawValue: Int(tensor.elemType)) ?? .undefined
            guard floating.contains(type) else {
                throw STError.badInput(file: source, reason: "graph input '\(info.name)' has element type \(type); the engine computes in float32")
            }
            if let shape = overrides[info.name] {
                guard shape.allSatisfy({ $0 > 0 }), !tensor.hasShape || tensor.shape.dim.count == shape.count else {
                    throw STError.badInput(file: source, reason: "input shape \(shape) does not fit graph input '\(info.name)'")
                }
                return (info.name, shape)
            }
            guard tensor.hasShape else {
                throw STError.badInput(file: source, reason: "graph input '\(info.name)' declares no shape; pass its shape")
            }
            let shape = try tensor.shape.dim.enumerated().map { axis, dimension -> Int in
                if case .dimValue(let size)? = dimension.value, size > 0 { return Int(size) }
                guard axis == 0 else {
                    let symbol = dimension.dimParam.isEmpty ? "" : " ('\(dimension.dimParam)')"
                    throw STError.badInput(file: source, reason: "graph input '\(info.name)' has no fixed size on axis \(axis)\(symbol); pass its shape")
                }
                return 1
            }
            return (info.name, shape)
        }
    }
}
