/// Element-wise arithmetic of tensors of one shape, each a single pass of a oneDNN binary or
/// eltwise primitive (post-ops fuse the steps of a formula into that pass).
///
/// Results are in the layout of the tensor the method is called on — the kernels' channel-blocked
/// layout for activations — and the other operands are brought into it when theirs differs, so
/// tensors stay blocked between kernels. The padded channels of a blocked result stay zero: the
/// binary kernels read the storages as flat arrays (`DNNL.flatBinary`) and each formula maps zeros
/// to zero. Operands of different shapes are a programmer error (a precondition).
extension Tensor {
    /// self + scale · other.
    public func adding(_ other: Tensor, scale: Float = 1) -> Tensor {
        precondition(other.shape == shape, "adding \(other.shape) to \(shape)")
        return kernel("addition") { try DNNL.flatBinary(self, other.laidOut(as: format), .add, scales: (1, scale)) }
    }

    /// scale · self ⊙ other.
    public func multiplied(by other: Tensor, scale: Float = 1) -> Tensor {
        precondition(other.shape == shape, "multiplying \(shape) by \(other.shape)")
        return kernel("multiplication") { try DNNL.flatBinary(self, other.laidOut(as: format), .mul, scales: (scale, 1)) }
    }

    /// scale · self.
    public func scaled(by scale: Float) -> Tensor {
        kernel("scaling") { try DNNL.eltwiseForward(self, .linear(scale: scale, shift: 0)) }
    }

    /// self / (z + ε·sign z) with sign 0 = +1, for the denominator z: the ratio of LRP's ε rule
    /// (Bach et al. 2015), whose stabiliser keeps the quotient finite where z vanishes.
    ///
    /// One pass: [z ≥ 0] → 2ε·[z ≥ 0] − ε = ε·sign z → + z → 1/· → · self. The quotient is formed
    /// as self · (1/(z + ε·sign z)), which may differ from a division in the last bit. (With ε = 0
    /// the padded slots of a blocked result hold 0 · (1/0), not a number.)
    public func divided(byStabilised denominator: Tensor, epsilon: Float) -> Tensor {
        precondition(denominator.shape == shape, "dividing \(shape) by \(denominator.shape)")
        return quotient(byStabilised: denominator.laidOut(as: format), epsilon: epsilon, overwriting: false)
    }

    /// self / (d + ε·sign d) with sign 0 = +1 for the difference d = a − b, which is formed first
    /// (one pass) so that the stabiliser is added to it exactly as to any other denominator; the
    /// quotient then overwrites it (a second pass).
    public func divided(byStabilisedDifferenceOf a: Tensor, and b: Tensor, epsilon: Float) -> Tensor {
        precondition(a.shape == shape && b.shape == shape, "dividing \(shape) by \(a.shape) − \(b.shape)")
        let difference = kernel("subtraction") { try DNNL.flatBinary(a.laidOut(as: format), b.laidOut(as: format), .sub) }
        return quotient(byStabilised: difference, epsilon: epsilon, overwriting: true)
    }

    /// The stabilised quotient by `z`, in this tensor's layout; written into `z`'s storage when
    /// `overwriting` (which the caller then owns alone).
    private func quotient(byStabilised z: Tensor, epsilon: Float, overwriting: Bool) -> Tensor {
        kernel("stabilised division") {
            try DNNL.flatBinary(z, Tensor(0), .greaterOrEqual, postOps: [
                .linear(scale: 2 * epsilon, shift: -epsilon), .binary(.add, z), .reciprocal, .binary(.mul, self),
            ], into: overwriting ? z : nil)
        }
    }

    /// The tensor split into x⁺ = max(x, 0) and x⁻ = min(x, 0), nil for a part that is all zero:
    /// the tensor itself stands for x⁺ when it has no negative element, and for x⁻ when it has no
    /// positive one. Both parts keep its layout.
    public var signParts: (positive: Tensor?, negative: Tensor?) {
        guard count > 0 else { return (nil, nil) }
        // The padded slots of a blocked layout hold zeros, which change neither test.
        let (lowest, highest) = kernel("minimum and maximum") {
            (try DNNL.storageExtreme(self, largest: false), try DNNL.storageExtreme(self, largest: true))
        }
        switch (lowest < 0, highest > 0) {
        case (false, false): return (nil, nil)
        case (false, true): return (self, nil)
        case (true, false): return (nil, self)
        case (true, true):
            return kernel("sign parts") {
                (try DNNL.eltwiseForward(self, .relu), try DNNL.eltwiseForward(self, .clip(lower: -.infinity, upper: 0)))
            }
        }
    }

    /// The result of a kernel whose operands were checked: a oneDNN failure here is a bug in the
    /// engine, not in the input.
    func kernel<R>(_ what: String, _ body: () throws -> R) -> R {
        do {
            return try body()
        } catch {
            preconditionFailure("\(what) of \(shape) \(format): \(error)")
        }
    }
}
