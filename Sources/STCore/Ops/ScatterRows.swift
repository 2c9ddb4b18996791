/// Rows of `data` replaced by rows of `updates` (ONNX `ScatterND` with constant indices, the
/// indexed axes flattened into rows): `data` is R × S, `updates` U × S, and update u writes row
/// `rows[u]` (a later update of the same row wins).
///
///     y[r] = updates[u]   where u is the last update with rows[u] = r
///     y[r] = data[r]      elsewhere
///     ∂L/∂data[r] = g[r] where no update writes r, 0 where one does
///     ∂L/∂updates[u] = g[rows[u]] for the winning update of its row, 0 for overwritten ones
///
/// One pass over the output, where a Concat of both and a row select took two.
/// Shape errors: operands not of rank 2, different row sizes, or a row outside [0, R).
public struct ScatterRows: Op {
    /// The data row each update row writes.
    public let rows: [Int]

    public init(rows: [Int]) {
        self.rows = rows
    }

    public var typeName: String { "ScatterRows" }

    public func outputShape(inputs: [[Int]], parameters: [[Int]]) throws -> [Int] {
        let (data, updates) = (inputs[0], inputs[1])
        try ShapeCheck.require(data.count == 2 && updates.count == 2 && data[1] == updates[1],
                               "ScatterRows of updates \(updates) into data \(data): both R × S and U × S")
        try ShapeCheck.require(updates[0] == rows.count, "ScatterRows has \(rows.count) rows for \(updates[0]) updates")
        try ShapeCheck.require(rows.allSatisfy { $0 >= 0 && $0 < data[0] }, "ScatterRows rows are not all in 0..<\(data[0])")
        return data
    }

    public func forward(_ inputs: [Tensor], parameters: [Tensor], context: inout ForwardContext) throws -> OpOutput {
        let sources = Self.sources(rows: rows, dataRows: inputs[0].shape[0])
        return OpOutput(AxisRows.gather(inputs, axis: 0, sources: sources))
    }

    public func backward(_ gradOutput: Tensor, record: OpRecord, needInputs: [Bool],
                         context: BackwardContext) throws -> OpGradients {
        let dataRows = record.inputs[0].shape[0]
        let sources = Self.sources(rows: rows, dataRows: dataRows)
        // Row r of the output came from source sources[r]: data rows keep their gradient where
        // they survived, each winning update gets its row's.
        let gradData = needInputs[0]
            ? AxisRows.gather(gradOutput, axis: 0, sources: sources.enumerated().map { $1 == $0 ? $0 : nil }) : nil
        var updateSources = [Int?](repeating: nil, count: rows.count)
        for (row, source) in sources.enumerated() where source >= dataRows { updateSources[source - dataRows] = row }
        let gradUpdates = needInputs[1] ? AxisRows.gather(gradOutput, axis: 0, sources: updateSources) : nil
        return OpGradients(inputs: [gradData, gradUpdates])
    }

    /// For each output row, its source in data ++ updates: r itself, or R + the last update of r.
    static func sources(rows: [Int], dataRows: Int) -> [Int] {
        var sources = Array(0..<dataRows)
        for (update, row) in rows.enumerated() { sources[row] = dataRows + update }
        return sources
    }
}
