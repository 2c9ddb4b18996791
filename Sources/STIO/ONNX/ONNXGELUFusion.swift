/// Finds the exact GELU that `torch.onnx.export` (both exporters) spells out below opset 20,
///
///     y = x · ½ · (1 + erf(x / √2))      (Div by √2 or Mul by 1/√2; the ½ on x, on the product
///                                         or on 1 + erf)
///
/// and rewrites it as one `Gelu` node (the opset-20 operator, `approximate = "none"`), so the
/// engine computes it with one GELU kernel and LRP sees one element-wise non-linearity instead of
/// a product of two signals. The fused node is named after the pattern's scope
/// (`/encoder/layers/encoder_layer_0/mlp/mlp.1/Gelu`) and writes the pattern's output.
enum ONNXGELUFusion {
    /// `nodes` with every GELU pattern replaced; `scalar` gives a value's constant when it is a
    /// one-element constant (initializer or `Constant` node).
    static func fused(_ nodes: [Onnx_NodeProto], scalar: (String) -> Float?) -> [Onnx_NodeProto] {
        var index = ONNXNodeIndex(nodes)
        let (producer, consumers) = (index.producer, index.consumers)
        func close(_ value: Float?, _ expected: Float) -> Bool {
            value.map { abs($0 - expected) <= 1e-4 * expected } ?? false
        }
        /// The one node reading `value`, when it is of `type`.
        func onlyConsumer(_ value: String, _ type: String) -> Int? {
            guard let readers = consumers[value], readers.count == 1, nodes[readers[0]].opType == type else { return nil }
            return readers[0]
        }
        for (erfIndex, erf) in nodes.enumerated() where erf.opType == "Erf" && erf.input.count == 1 {
            guard let scaleIndex = producer[erf.input[0]], consumers[erf.input[0]]?.count == 1 else { continue }
            let scale = nodes[scaleIndex]
            guard scale.input.count == 2 else { continue }
            let x: String
            if scale.opType == "Div", close(scalar(scale.input[1]), Float(2).squareRoot()) {
                x = scale.input[0]
            } else if scale.opType == "Mul", let constant = scale.input.first(where: { close(scalar($0), Float(0.5).squareRoot()) }),
                      let input = index.other(scale, constant) {
                x = input
            } else {
                continue
            }
            guard let addIndex = onlyConsumer(erf.output[0], "Add"),
                  let one = index.other(nodes[addIndex], erf.output[0]), close(scalar(one), 1) else { continue }
            let sum = nodes[addIndex].output[0]
            var pattern = [scaleIndex, erfIndex, addIndex]
            let last: Int
            if let halfIndex = onlyConsumer(sum, "Mul"), let half = index.other(nodes[halfIndex], sum), close(scalar(half), 0.5),
               let productIndex = onlyConsumer(nodes[halfIndex].output[0], "Mul"),
               index.other(nodes[productIndex], nodes[halfIndex].output[0]) == x {
                // ½ · (1 + erf) first, then the product with x (the dynamo exporter's order)
                pattern.append(halfIndex)
                last = productIndex
            } else if let productIndex = onlyConsumer(sum, "Mul"), let factor = index.other(nodes[productIndex], sum) {
                pattern.append(productIndex)
                if factor == x, let halfIndex = onlyConsumer(nodes[productIndex].output[0], "Mul"),
                   let half = index.other(nodes[halfIndex], nodes[productIndex].output[0]), close(scalar(half), 0.5) {
                    last = halfIndex
                } else if let halfIndex = producer[factor], consumers[factor]?.count == 1, nodes[halfIndex].opType == "Mul",
                          let half = index.other(nodes[halfIndex], x), close(scalar(half), 0.5) {
                    pattern.append(halfIndex)
                    last = productIndex
                } else {
                    continue
                }
            } else {
                continue
            }
            pattern.append(last)
            var gelu = Onnx_NodeProto()
            gelu.opType = "Gelu"
            gelu.name = erf.name.hasSuffix("/Erf") ? String(erf.name.dropLast(3)) + "Gelu" : erf.name + ".gelu"
            gelu.input = [x]
            gelu.output = [nodes[last].output[0]]
            index.replace(pattern, by: gelu, at: last)
        }
        return index.rewritten
    }
}
