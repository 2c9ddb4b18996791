/// A row-major shape seen as `outer × size × inner` around one axis. The rows of `inner`
/// contiguous elements are what `Slice`, `IndexSelect` and `Pad` move along the axis: forward by
/// `gather`, backward by its adjoint `scatterAdd`.
struct AxisRows {
    let outer: Int, size: Int, inner: Int

    init(_ shape: [Int], axis: Int) {
        outer = shape[..<axis].reduce(1, *)
        size = shape[axis]
        inner = shape[(axis + 1)...].reduce(1, *)
    }

    /// Rows picked along `axis`, `y[o, j, i] = x[o, sources[j], i]`, or `fill` where `sources[j]`
    /// is nil; the output has `sources.count` positions along the axis and is plain.
    static func gather(_ x: Tensor, axis: Int, sources: [Int?], fill: Float = 0) -> Tensor {
        var shape = x.shape
        shape[axis] = sources.count
        var result = Tensor(uninitialized: shape)
        let layout = AxisRows(x.shape, axis: axis), inner = layout.inner
        x.withUnsafeBufferPointer { source in
            result.withUnsafeMutableBufferPointer { target in
                guard inner > 0, let sourceBase = source.baseAddress, let targetBase = target.baseAddress else { return }
                layout.forEachPick(sources) { row, picked in
                    if let picked {
                        (targetBase + row).update(from: sourceBase + picked, count: inner)
                    } else {
                        (targetBase + row).update(repeating: fill, count: inner)
                    }
                }
            }
        }
        return result
    }

    /// Rows picked along `axis` from the concatenation of `parts` along it, without building the
    /// concatenation: source s is row s of the parts laid end to end (all parts agree off the axis).
    static func gather(_ parts: [Tensor], axis: Int, sources: [Int]) -> Tensor {
        var shape = parts[0].shape
        shape[axis] = sources.count
        var result = Tensor(uninitialized: shape)
        let layouts = parts.map { AxisRows($0.shape, axis: axis) }
        let outputLayout = AxisRows(shape, axis: axis), inner = outputLayout.inner
        var owner: [(part: Int, row: Int)] = []
        for (part, layout) in layouts.enumerated() { owner += (0..<layout.size).map { (part, $0) } }
        let plain = parts.map { $0.plain() }
        result.withUnsafeMutableBufferPointer { target in
            guard inner > 0, let targetBase = target.baseAddress else { return }
            for (part, tensor) in plain.enumerated() {
                tensor.withUnsafeBufferPointer { source in
                    guard let sourceBase = source.baseAddress else { return }
                    for o in 0..<outputLayout.outer {
                        for (j, s) in sources.enumerated() where owner[s].part == part {
                            let from = sourceBase + (o * layouts[part].size + owner[s].row) * inner
                            (targetBase + (o * sources.count + j) * inner).update(from: from, count: inner)
                        }
                    }
                }
            }
        }
        return result
    }

    /// The adjoint of `gather` for an input of `shape`: zeros with every row `j` of `gradient`
    /// added onto row `sources[j]`, `g_x[o, s, i] = Σ_{j : sources[j] = s} g[o, j, i]`; rows with
    /// a nil source (filled constants) are dropped.
    static func scatterAdd(_ gradient: Tensor, into shape: [Int], axis: Int, sources: [Int?]) -> Tensor {
        var result = Tensor(zeros: shape)
        let layout = AxisRows(shape, axis: axis), inner = layout.inner
        gradient.withUnsafeBufferPointer { source in
            result.withUnsafeMutableBufferPointer { target in
                guard inner > 0, let sourceBase = source.baseAddress, let targetBase = target.baseAddress else { return }
                layout.forEachPick(sources) { row, picked in
                    guard let picked else { return }
                    let (from, to) = (sourceBase + row, targetBase + picked)
                    for i in 0..<inner { to[i] += from[i] }
                }
            }
        }
        return result
    }

    /// Calls `body(row, picked)` for the `outer × sources.count` rows of a tensor picked from
    /// this layout, in order: `row` is the flat offset of row (o, j) there, `picked` the flat
    /// offset of row (o, sources[j]) here, nil where `sources[j]` is.
    private func forEachPick(_ sources: [Int?], _ body: (Int, Int?) -> Void) {
        var row = 0
        for o in 0..<outer {
            for index in sources {
                body(row, index.map { (o * size + $0) * inner })
                row += inner
            }
        }
    }
}
