import STCore

/// Which converter handles each ONNX op type (default domain).
extension ONNXGraphConverter {
    /// Op types converted into engine nodes (those in `ONNXConstantFolding.foldable` are also
    /// folded away when their inputs are constants).
    static let convertedOperators: Set<String> = [
        "Conv", "BatchNormalization", "MaxPool", "AveragePool", "GlobalAveragePool", "GlobalMaxPool", "Pad",
        "Relu", "LeakyRelu", "Sigmoid", "Tanh", "Reciprocal", "Softmax", "LogSoftmax", "Dropout", "Identity",
        "Add", "Sub", "Mul", "Div", "MatMul", "Gemm", "Einsum",
        "Concat", "Flatten", "Reshape", "Transpose", "Squeeze", "Unsqueeze", "Gather", "Slice", "Cast", "Shape", "Size",
        "ReduceMean", "ReduceSum", "LSTM", "Split", "Tile", "Expand", "ScatterND", "Where",
        "If", "Loop", "SequenceEmpty", "SequenceConstruct", "SequenceInsert", "SequenceAt", "SequenceLength",
        "ConcatFromSequence", "LayerNormalization", "Gelu", "Erf", "HardSigmoid", "HardSwish", "Pow", "Sqrt",
        ONNXBlockAddFusion.opType,
    ]

    /// Converts a node whose inputs are not all constants; throws `ONNXImportIssue.unsupported`
    /// for op types the engine cannot compute.
    mutating func dispatch(_ node: ONNXNode) throws {
        switch node.opType {
        case "Conv": try convertConvolution(node)
        case "BatchNormalization": try convertBatchNorm(node)
        case "MaxPool", "AveragePool": try convertPooling(node)
        case "GlobalAveragePool", "GlobalMaxPool": try convertGlobalPooling(node)
        case "Pad": try convertPad(node)
        case "Relu": try convertUnary(node, ReLU())
        case "LeakyRelu": try convertLeakyReLU(node)
        case "Sigmoid": try convertUnary(node, Sigmoid())
        case "Tanh": try convertUnary(node, Tanh())
        case "Reciprocal": try convertUnary(node, Reciprocal())
        case "Softmax", "LogSoftmax": try convertSoftmax(node)
        case "Dropout": try convertDropout(node)
        case "Identity": try convertIdentity(node)
        case "Add": try convertBinary(node, Add())
        case "Mul": try convertBinary(node, Multiply())
        case "Sub": try convertSubtraction(node)
        case "Div": try convertDivision(node)
        case "MatMul": try convertMatMul(node)
        case "Gemm": try convertGemm(node)
        case "Einsum": try convertEinsum(node)
        case "Concat": try convertConcat(node)
        case "Flatten": try convertFlatten(node)
        case "Reshape": try convertReshape(node)
        case "Transpose": try convertTranspose(node)
        case "Squeeze": try convertSqueeze(node)
        case "Unsqueeze": try convertUnsqueeze(node)
        case "Gather": try convertGather(node)
        case "Slice": try convertSlice(node)
        case "Cast": try convertCast(node)
        case "Shape", "Size": try convertShapeQuery(node)
        case "ReduceMean", "ReduceSum": try convertReduction(node)
        case "LSTM": try convertLSTM(node)
        case "Split": try convertSplit(node)
        case "Tile": try convertTile(node)
        case "Expand": try convertExpand(node)
        case "ScatterND": try convertScatterND(node)
        case ONNXBlockAddFusion.opType: try convertBlockAdd(node)
        case "Where": try convertWhere(node)
        case "LayerNormalization": try convertLayerNormalization(node)
        case "Gelu": try convertGELU(node)
        case "Erf": try convertUnary(node, Erf())
        case "HardSigmoid": try convertHardSigmoid(node)
        case "HardSwish": try convertUnary(node, HardSwish())
        case "Pow": try convertPower(node)
        case "Sqrt": try convertUnary(node, Sqrt())
        case "If": try convertIf(node)
        case "Loop": try convertLoop(node)
        case "SequenceEmpty", "SequenceConstruct", "SequenceInsert", "SequenceAt", "SequenceLength", "ConcatFromSequence":
            try convertSequenceOp(node)
        default:
            let folded = ONNXConstantFolding.foldable.contains(node.opType)
            throw ONNXImportIssue.unsupported(folded ? "it is folded only when its inputs are constants" : "")
        }
    }
}
