/// Finds the layer normalisation that `torch.onnx.export` spells out below opset 17,
///
///     d = x − mean(x);  y = d / √(mean(d²) + ε) · weight + bias      (means over the last k axes)
///
/// and rewrites it as one `LayerNormalization` node (axis −k, epsilon ε), so the engine runs
/// oneDNN's layer normalisation and LRP treats it as one layer instead of meeting a square root.
/// The fused node takes the pattern's scope (`…/ln_1/LayerNormalization`) and writes its output.
enum ONNXLayerNormFusion {
    /// `nodes` with every such pattern replaced. `scalar` gives a value's one-element constant,
    /// `integers` a constant integer tensor, `isInitializer` whether a value is a stored tensor
    /// (the weight and bias must be).
    static func fused(_ nodes: [Onnx_NodeProto], opset: Int, scalar: (String) -> Float?, integers: (String) -> [Int]?,
                      isInitializer: (String) -> Bool) -> [Onnx_NodeProto] {
        var index = ONNXNodeIndex(nodes)
        let consumers = index.consumers
        func readers(_ value: String, _ type: String) -> [Int] {
            (consumers[value] ?? []).filter { nodes[$0].opType == type }
        }
        /// The trailing axes a ReduceMean with kept dimensions averages over, as the count k.
        func trailingAxes(_ node: Onnx_NodeProto) -> Int? {
            guard node.opType == "ReduceMean",
                  !node.attribute.contains(where: { $0.name == "keepdims" && $0.i == 0 }) else { return nil }
            let axes = opset >= 18 ? node.input.count > 1 ? integers(node.input[1]) : nil
                : node.attribute.first { $0.name == "axes" }.map { $0.ints.map(Int.init) }
            guard let axes, !axes.isEmpty, axes.allSatisfy({ $0 < 0 }) else { return nil }
            let k = axes.count
            return Set(axes) == Set((-k)...(-1)) ? k : nil
        }
        for (meanIndex, mean) in nodes.enumerated() {
            guard let k = trailingAxes(mean), let x = mean.input.first,
                  let subIndex = readers(mean.output[0], "Sub").first, consumers[mean.output[0]]?.count == 1,
                  nodes[subIndex].input == [x, mean.output[0]] else { continue }
            let centred = nodes[subIndex].output[0]
            guard let powIndex = readers(centred, "Pow").first, scalar(nodes[powIndex].input[1]) == 2,
                  let divIndex = readers(centred, "Div").first, consumers[centred]?.count == 2,
                  let varianceIndex = consumers[nodes[powIndex].output[0]]?.first,
                  trailingAxes(nodes[varianceIndex]) == k,
                  let addIndex = readers(nodes[varianceIndex].output[0], "Add").first,
                  let epsilonName = index.other(nodes[addIndex], nodes[varianceIndex].output[0]),
                  let epsilon = scalar(epsilonName),
                  let sqrtIndex = readers(nodes[addIndex].output[0], "Sqrt").first,
                  nodes[divIndex].input == [centred, nodes[sqrtIndex].output[0]],
                  let scaleIndex = readers(nodes[divIndex].output[0], "Mul").first,
                  consumers[nodes[divIndex].output[0]]?.count == 1,
                  let weight = index.other(nodes[scaleIndex], nodes[divIndex].output[0]), isInitializer(weight),
                  let shiftIndex = readers(nodes[scaleIndex].output[0], "Add").first,
                  consumers[nodes[scaleIndex].output[0]]?.count == 1,
                  let bias = index.other(nodes[shiftIndex], nodes[scaleIndex].output[0]), isInitializer(bias)
            else { continue }
            let pattern = [meanIndex, subIndex, powIndex, varianceIndex, addIndex, sqrtIndex, divIndex, scaleIndex, shiftIndex]
            guard pattern.dropLast().allSatisfy({ member in
                nodes[member].output.allSatisfy { (consumers[$0] ?? []).allSatisfy(pattern.contains) }
            }) else { continue }
            var layerNorm = Onnx_NodeProto()
            layerNorm.opType = "LayerNormalization"
            let scope = mean.name.split(separator: "/", omittingEmptySubsequences: false).dropLast().joined(separator: "/")
            layerNorm.name = scope.isEmpty ? mean.name + ".layer_norm" : scope + "/LayerNormalization"
            layerNorm.input = [x, weight, bias]
            layerNorm.output = [nodes[shiftIndex].output[0]]
            var axis = Onnx_AttributeProto()
            axis.name = "axis"
            axis.type = .int
            axis.i = Int64(-k)
            var epsilonAttribute = Onnx_AttributeProto()
            epsilonAttribute.name = "epsilon"
            epsilonAttribute.type = .float
            epsilonAttribute.f = epsilon
            layerNorm.attribute = [axis, epsilonAttribute]
            index.replace(pattern, by: layerNorm, at: shiftIndex)
        }
        return index.rewritten
    }
}
