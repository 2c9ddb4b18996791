/// One term scale · first ⊙ second of a sum of element-wise products (`Tensor.sum(of:)`), both
/// factors of one shape.
public struct ScaledProduct: Sendable {
    public var scale: Float
    public var first: Tensor
    public var second: Tensor

    public init(scale: Float = 1, _ first: Tensor, _ second: Tensor) {
        self.scale = scale
        self.first = first
        self.second = second
    }
}

extension Tensor {
    /// Σ scale · first ⊙ second over `products`, in the layout of the first product's first
    /// factor (see `Tensor+Arithmetic.swift`); nil when there are none.
    ///
    /// Two products with one second factor x (LRP's αβ after a ReLU: x through w⁺ and through w⁻)
    /// take one pass, (a·g + b·h) ⊙ x; otherwise each further product is added in place, one pass
    /// each.
    public static func sum(of products: [ScaledProduct]) -> Tensor? {
        guard let first = products.first else { return nil }
        if products.count == 2, products[1].second.sharesStorage(with: first.second),
           products[1].second.format == first.second.format, products[1].second.shape == first.second.shape {
            let (second, format) = (products[1], first.first.format)
            precondition(first.first.shape == first.second.shape && second.first.shape == first.second.shape,
                         "products of \(first.first.shape), \(second.first.shape) and \(first.second.shape)")
            return first.first.kernel("sum of two products") {
                try DNNL.flatBinary(first.first, second.first.laidOut(as: format), .add, scales: (first.scale, second.scale),
                                    postOps: [.binary(.mul, first.second.laidOut(as: format))])
            }
        }
        var total = first.first.multiplied(by: first.second, scale: first.scale)
        for product in products.dropFirst() {
            total.addProduct(product.first, product.second, scale: product.scale)
        }
        return total
    }

    /// self += scale · a ⊙ b, in place in this tensor's layout (one pass).
    public mutating func addProduct(_ a: Tensor, _ b: Tensor, scale: Float = 1) {
        precondition(a.shape == shape && b.shape == shape, "adding the product of \(a.shape) and \(b.shape) to \(shape)")
        // Own the storage alone (and give it a new version) before oneDNN writes into it.
        withUnsafeMutableStorage { _ in }
        let accumulator = self
        self = kernel("accumulated product") {
            try DNNL.flatBinary(a.laidOut(as: accumulator.format), b.laidOut(as: accumulator.format), .mul,
                                scales: (scale, 1), into: accumulator, accumulating: true)
        }
    }
}
