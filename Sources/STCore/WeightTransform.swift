/// A named element-wise function of a parameter tensor (LRP's w⁺ = max(w, 0), w⁻ = min(w, 0),
/// w², w + γ·w⁺, …). The name identifies the function: equal names must mean equal functions.
public struct WeightTransform: Sendable {
    public let name: String
    public let function: @Sendable (Float) -> Float
    /// The built-in functions, applied by loops the compiler vectorises.
    private let builtIn: BuiltIn?

    private enum BuiltIn {
        case positivePart, negativePart, zero
    }

    public init(name: String, _ function: @escaping @Sendable (Float) -> Float) {
        self.init(name: name, function, builtIn: nil)
    }

    private init(name: String, _ function: @escaping @Sendable (Float) -> Float, builtIn: BuiltIn?) {
        self.name = name
        self.function = function
        self.builtIn = builtIn
    }

    /// w⁺ = max(w, 0).
    public static let positivePart = WeightTransform(name: "max(w,0)", { max($0, 0) }, builtIn: .positivePart)
    /// w⁻ = min(w, 0).
    public static let negativePart = WeightTransform(name: "min(w,0)", { min($0, 0) }, builtIn: .negativePart)
    /// w ↦ 0 (a dropped bias).
    public static let zero = WeightTransform(name: "0", { _ in 0 }, builtIn: .zero)

    /// target[i] = f(source[i]) for i < count.
    func apply(_ source: UnsafePointer<Float>, to target: UnsafeMutablePointer<Float>, count: Int) {
        switch builtIn {
        case .positivePart: for index in 0..<count { target[index] = max(source[index], 0) }
        case .negativePart: for index in 0..<count { target[index] = min(source[index], 0) }
        case .zero: target.update(repeating: 0, count: count)
        case nil: for index in 0..<count { target[index] = function(source[index]) }
        }
    }
}

extension Tensor {
    /// f(w) element by element, plain.
    ///
    /// The values are written when first read: when f(0) = 0 the result remembers that it is f of
    /// this tensor, and kernels that need a weight reordered into their own layout apply f to this
    /// tensor's cached reordered copy instead (one element-wise pass, padding staying zero), so the
    /// plain values of LRP's w⁺ and w⁻ are usually never needed; later results of the same f of the
    /// same tensor reuse that copy while this tensor is unchanged.
    public func transformed(by transform: WeightTransform) -> Tensor {
        let source = plain()
        let count = count
        let storage = TensorStorage(count: count) { target in
            withExtendedLifetime(source.storage) {
                transform.apply(source.storage.pointer, to: target, count: count)
            }
        }
        let result = Tensor(shape: shape, format: .plain, storage: storage)
        if transform.function(0) == 0 {
            DNNL.recordDerivation(result, of: self, by: transform)
        }
        return result
    }
}
