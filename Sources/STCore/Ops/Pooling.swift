/// N-d max or average pooling (PyTorch `MaxPool1d/2d/3d`, `AvgPool1d/2d/3d`) over the trailing
/// spatial axes of an `N × C × spatial…` input, with PyTorch's padding, dilation (max only),
/// `ceil_mode` and `count_include_pad`. Window p along an axis starts at `s·p − pad`.
///
/// Max:      y[n, c, p] = max_{q : s·p − pad + d·q inside the input} x[n, c, s·p − pad + d·q]
///           ∂L/∂x = g routed to each window's argmax (recorded in oneDNN's workspace).
/// Average:  y[n, c, p] = Σ_{q : s·p − pad + q inside the input} x[n, c, s·p − pad + q] / D(p)
///           ∂L/∂x[i] = Σ_{p : i ∈ window(p)} g[p] / D(p)
///
/// D(p) counts the input elements in the window (`count_include_pad=False`) or, with
/// `count_include_pad=True`, is Π_axes (min(start + k, in + pad) − start): the window clipped to
/// the input plus PyTorch's (symmetric) padding. oneDNN's include-padding average divides by the
/// whole kernel volume instead, which differs in ceil mode when a last window runs past the right
/// padding. Then this op computes oneDNN's exclude-padding average and multiplies it by
/// c(p) = (input elements in window p) / D(p), broadcast over N and C; the backward pass
/// multiplies g by the same c(p) before oneDNN spreads it over the windows.
///
/// Shape errors: wrong input rank, padding above half the kernel, dilation on average pooling,
/// or a window larger than the padded input.
public struct Pooling: Op {
    public let kind: PoolingKind
    public let geometry: PoolingGeometry

    public init(_ kind: PoolingKind, geometry: PoolingGeometry) {
        self.kind = kind
        self.geometry = geometry
    }

    public var typeName: String {
        switch kind {
        case .max: return "MaxPool\(geometry.kernel.count)d"
        case .average: return "AvgPool\(geometry.kernel.count)d"
        }
    }

    public var backwardReadsSavedState: Bool { true }

    public func outputShape(inputs: [[Int]], parameters: [[Int]]) throws -> [Int] {
        let input = inputs[0], spatial = geometry.kernel.count
        let (kernel, stride, padding, dilation) = (geometry.kernel, geometry.stride, geometry.padding, geometry.dilation)
        try ShapeCheck.require([stride.count, padding.count, dilation.count].allSatisfy { $0 == spatial },
                               "\(typeName) kernel \(kernel), stride \(stride), padding \(padding) and dilation \(dilation) differ in rank")
        try ShapeCheck.require(kernel.allSatisfy { $0 >= 1 } && stride.allSatisfy { $0 >= 1 }
                                   && dilation.allSatisfy { $0 >= 1 } && padding.allSatisfy { $0 >= 0 },
                               "\(typeName) needs positive kernel \(kernel), stride \(stride) and dilation \(dilation) and padding \(padding) ≥ 0")
        try ShapeCheck.require(input.count == spatial + 2, "\(typeName) expects a rank-\(spatial + 2) input, got \(input)")
        if case .average = kind {
            try ShapeCheck.require(dilation.allSatisfy { $0 == 1 }, "\(typeName) has no dilation, got \(dilation)")
        }
        try ShapeCheck.require(zip(padding, kernel).allSatisfy { $0 <= $1 / 2 },
                               "\(typeName) padding \(padding) exceeds half the kernel \(kernel)")
        let inputSpatial = Array(input.dropFirst(2))
        let extent = (0..<spatial).map { dilation[$0] * (kernel[$0] - 1) + 1 }
        let padded = (0..<spatial).map { inputSpatial[$0] + 2 * padding[$0] }
        try ShapeCheck.require(zip(extent, padded).allSatisfy { $0 <= $1 },
                               "\(typeName) window \(extent) is larger than the padded input \(padded) (input \(input))")
        return Array(input.prefix(2)) + geometry.outputSpatial(input: inputSpatial)
    }

    /// What the backward pass needs: the pooling oneDNN ran, its workspace (max pooling's argmax)
    /// and the divisor correction c(p), if one was applied.
    struct Saved: Sendable {
        let kind: PoolingKind
        let workspace: DNNL.PoolingWorkspace
        let divisorCorrection: Tensor?
    }

    public func forward(_ inputs: [Tensor], parameters: [Tensor], context: inout ForwardContext) throws -> OpOutput {
        let x = inputs[0]
        let shape = try outputShape(inputs: [x.shape], parameters: [])
        let correction = divisorCorrection(inputShape: x.shape, outputShape: shape)
        let computedKind = correction == nil ? kind : .average(countIncludePad: false)
        let (pooled, workspace) = try DNNL.poolingForward(x, outputShape: shape, geometry: geometry, kind: computedKind)
        let saved = Saved(kind: computedKind, workspace: workspace, divisorCorrection: correction)
        guard let correction else { return OpOutput(pooled, saved: saved) }
        return OpOutput(try DNNL.binary(pooled, correction, .mul), saved: saved)
    }

    public func backward(_ gradOutput: Tensor, record: OpRecord, needInputs: [Bool],
                         context: BackwardContext) throws -> OpGradients {
        guard needInputs[0] else { return OpGradients(inputs: [nil]) }
        let saved = record.saved as! Saved
        let scaled = try saved.divisorCorrection.map { try DNNL.binary(gradOutput, $0, .mul) } ?? gradOutput
        return OpGradients(inputs: [try DNNL.poolingBackward(scaled, input: record.inputs[0], geometry: geometry,
                                                             kind: saved.kind, workspace: saved.workspace)])
    }

    /// c(p) = (input elements in window p) / D(p) as a `1 × 1 × output…` tensor, or nil where
    /// oneDNN's divisor already is PyTorch's: everywhere except `count_include_pad` in ceil mode
    /// when some window runs past the right padding. Per axis, the window [start, start + k) is
    /// clipped to `in + pad` for D and to the input for the element count; c is their product.
    func divisorCorrection(inputShape: [Int], outputShape: [Int]) -> Tensor? {
        guard case .average(countIncludePad: true) = kind, geometry.ceilMode else { return nil }
        let outputSpatial = Array(outputShape.dropFirst(2))
        var overruns = false
        let factorsPerAxis: [[Float]] = outputSpatial.indices.map { axis in
            let size = inputShape[axis + 2], kernel = geometry.kernel[axis], padding = geometry.padding[axis]
            return (0..<outputSpatial[axis]).map { position in
                let start = position * geometry.stride[axis] - padding
                let end = min(start + kernel, size + padding)
                if end < start + kernel { overruns = true }
                return Float(min(end, size) - max(start, 0)) / Float(end - start)
            }
        }
        guard overruns else { return nil }
        let factors = factorsPerAxis.reduce([Float(1)]) { outer, axis in
            outer.flatMap { factor in axis.map { factor * $0 } }
        }
        return Tensor(shape: [1, 1] + outputSpatial, scalars: factors)
    }
}
