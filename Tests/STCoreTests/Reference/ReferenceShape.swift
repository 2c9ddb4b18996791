@testable import STCore

/// Naive, obviously-correct reference kernels that the fast (oneDNN-backed) kernels are tested
/// against. Every function follows the PyTorch definition of the operation it is named after,
/// works on plain row-major `[Float]` with explicit index arithmetic, and accumulates in `Double`.
/// Clarity matters more than speed here: use small tensors.
enum Reference {}

// MARK: - Index helpers shared by all reference kernels

extension Reference {
    /// Row-major strides of `shape`: `strides[d] = shape[d+1] · … · shape[rank-1]`.
    static func rowMajorStrides(_ shape: [Int]) -> [Int] {
        var strides = [Int](repeating: 1, count: shape.count)
        var running = 1
        for axis in shape.indices.reversed() {
            strides[axis] = running
            running *= shape[axis]
        }
        return strides
    }

    /// Flat row-major offset of the multi-index `index` in a tensor of shape `shape`.
    static func flatOffset(_ index: [Int], in shape: [Int]) -> Int {
        precondition(index.count == shape.count, "index \(index) for shape \(shape)")
        var offset = 0
        for axis in shape.indices {
            precondition(index[axis] >= 0 && index[axis] < shape[axis], "index \(index) out of range for shape \(shape)")
            offset = offset * shape[axis] + index[axis]
        }
        return offset
    }

    /// Calls `body` with every multi-index of `shape` in row-major order (last axis fastest).
    /// An empty shape has exactly one index, `[]`; a shape containing 0 has none.
    static func forEachIndex(_ shape: [Int], _ body: ([Int]) -> Void) {
        if shape.contains(where: { $0 <= 0 }) { return }
        var index = [Int](repeating: 0, count: shape.count)
        while true {
            body(index)
            var axis = shape.count - 1
            while axis >= 0 {
                index[axis] += 1
                if index[axis] < shape[axis] { break }
                index[axis] = 0
                axis -= 1
            }
            if axis < 0 { return }
        }
    }

    /// `axis` with negative values counted from the end (PyTorch `dim` convention).
    static func normalizedAxis(_ axis: Int, rank: Int) -> Int {
        let normalized = axis < 0 ? axis + rank : axis
        precondition(normalized >= 0 && normalized < rank, "axis \(axis) out of range for rank \(rank)")
        return normalized
    }

    /// A per-spatial-dimension parameter (stride, padding, …): either one value for every
    /// spatial dimension, or exactly `count` values.
    static func spatialParameter(_ values: [Int], count: Int, name: String) -> [Int] {
        if values.count == 1 { return [Int](repeating: values[0], count: count) }
        precondition(values.count == count, "\(name) \(values) for \(count) spatial dimensions")
        return values
    }

    /// Floor division (rounds towards −∞), PyTorch's `div_rtn`.
    static func floorDivide(_ a: Int, _ b: Int) -> Int {
        precondition(b > 0)
        return a >= 0 ? a / b : -((-a + b - 1) / b)
    }
}

// MARK: - Shape kernels

extension Reference {
    /// `torch.cat(xs, dim: axis)`: all tensors have the same rank and agree on every axis but
    /// `axis`; `out[..., j, ...] = xs[t][..., j − (sizes of xs[0..<t] along axis), ...]`.
    static func concat(_ xs: [Tensor], axis: Int) -> Tensor {
        precondition(!xs.isEmpty, "concat of no tensors")
        let rank = xs[0].rank
        let axis = normalizedAxis(axis, rank: rank)
        for x in xs {
            precondition(x.rank == rank, "concat of ranks \(xs.map(\.rank))")
            for d in 0..<rank where d != axis {
                precondition(x.shape[d] == xs[0].shape[d], "concat of shapes \(xs.map(\.shape)) along axis \(axis)")
            }
        }
        var outShape = xs[0].shape
        outShape[axis] = xs.reduce(0) { $0 + $1.shape[axis] }
        let sources = xs.map(\.scalars)
        var out = [Float]()
        out.reserveCapacity(outShape.reduce(1, *))
        forEachIndex(outShape) { index in
            var t = 0
            var position = index[axis]
            while position >= xs[t].shape[axis] {
                position -= xs[t].shape[axis]
                t += 1
            }
            var sourceIndex = index
            sourceIndex[axis] = position
            out.append(sources[t][flatOffset(sourceIndex, in: xs[t].shape)])
        }
        return Tensor(shape: outShape, scalars: out)
    }

    /// `torch.cat((tokens.expand(N, -1, -1), x), dim=1)` for tokens (1, K, D) and x (N, L, D):
    /// `out[n, k, d] = tokens[0, k, d]` for k < K, `out[n, K + l, d] = x[n, l, d]`.
    static func prependTokens(_ x: Tensor, tokens: Tensor) -> Tensor {
        precondition(x.rank == 3 && tokens.rank == 3 && tokens.shape[0] == 1 && tokens.shape[2] == x.shape[2],
                     "tokens \(tokens.shape) before x \(x.shape)")
        let (count, length, width) = (tokens.shape[1], x.shape[1], x.shape[2])
        let outShape = [x.shape[0], count + length, width]
        let (source, learned) = (x.scalars, tokens.scalars)
        var out = [Float]()
        out.reserveCapacity(outShape.reduce(1, *))
        forEachIndex(outShape) { index in
            let (n, position, d) = (index[0], index[1], index[2])
            out.append(position < count ? learned[flatOffset([0, position, d], in: tokens.shape)]
                                        : source[flatOffset([n, position - count, d], in: x.shape)])
        }
        return Tensor(shape: outShape, scalars: out)
    }

    /// `y = x.clone(); y[o_0:, o_1:, …][:r.shape] += r`: `out[i] = x[i] + r[i − o]` where
    /// `o ≤ i < o + r.shape` on every axis, `x[i]` elsewhere.
    static func blockAdd(_ x: Tensor, _ r: Tensor, offsets: [Int]) -> Tensor {
        precondition(x.rank == r.rank && offsets.count == x.rank, "block \(r.shape) at \(offsets) of \(x.shape)")
        var out = x.scalars
        let added = r.scalars
        forEachIndex(r.shape) { index in
            let target = zip(index, offsets).map { $0 + $1 }
            out[flatOffset(target, in: x.shape)] += added[flatOffset(index, in: r.shape)]
        }
        return Tensor(shape: x.shape, scalars: out)
    }

    /// `x.permute(order)`: `out.shape[i] = x.shape[order[i]]` and
    /// `out[i_0, …, i_{r-1}] = x[j]` where `j[order[i]] = i_i`.
    static func permute(_ x: Tensor, _ order: [Int]) -> Tensor {
        let order = order.map { normalizedAxis($0, rank: x.rank) }
        precondition(order.count == x.rank && Set(order).count == x.rank, "permutation \(order) for rank \(x.rank)")
        let outShape = order.map { x.shape[$0] }
        let source = x.scalars
        var out = [Float]()
        out.reserveCapacity(x.count)
        forEachIndex(outShape) { index in
            var sourceIndex = [Int](repeating: 0, count: x.rank)
            for i in 0..<x.rank { sourceIndex[order[i]] = index[i] }
            out.append(source[flatOffset(sourceIndex, in: x.shape)])
        }
        return Tensor(shape: outShape, scalars: out)
    }

    /// `x.mean(dim: axes, keepdim: keepDims)`: the arithmetic mean over the listed axes (negative
    /// axes count from the end; each axis at most once). With `keepDims` the reduced axes stay
    /// with size 1, otherwise they are removed. `axes` must not be empty (PyTorch's `dim=[]`
    /// means "all axes"; list them explicitly instead).
    static func mean(_ x: Tensor, axes: [Int], keepDims: Bool) -> Tensor {
        precondition(!axes.isEmpty, "mean over no axes; list the axes explicitly")
        let axes = axes.map { normalizedAxis($0, rank: x.rank) }
        precondition(Set(axes).count == axes.count, "repeated axis in \(axes)")
        var keptShape = x.shape
        for axis in axes { keptShape[axis] = 1 }
        let reducedCount = axes.reduce(1) { $0 * x.shape[$1] }
        var sums = [Double](repeating: 0, count: keptShape.reduce(1, *))
        let source = x.scalars
        forEachIndex(x.shape) { index in
            var target = index
            for axis in axes { target[axis] = 0 }
            sums[flatOffset(target, in: keptShape)] += Double(source[flatOffset(index, in: x.shape)])
        }
        let means = sums.map { Float($0 / Double(reducedCount)) }
        let outShape = keepDims ? keptShape : x.shape.indices.filter { !axes.contains($0) }.map { x.shape[$0] }
        return Tensor(shape: outShape, scalars: means)
    }

    /// `x.index_select(axis, indices)`: `out[…, j, …] = x[…, indices[j], …]` by explicit indexing.
    static func indexSelect(_ x: Tensor, axis: Int, indices: [Int]) -> Tensor {
        let axis = normalizedAxis(axis, rank: x.rank)
        var outShape = x.shape
        outShape[axis] = indices.count
        let source = x.scalars
        var out = [Float]()
        out.reserveCapacity(outShape.reduce(1, *))
        forEachIndex(outShape) { index in
            var sourceIndex = index
            sourceIndex[axis] = indices[index[axis]]
            out.append(source[flatOffset(sourceIndex, in: x.shape)])
        }
        return Tensor(shape: outShape, scalars: out)
    }

    /// `F.pad` with per-axis amounts `begin[d]`, `end[d]` and PyTorch's modes, all axes at once:
    /// output index i reads input index i − begin along every axis, mapped back into [0, n) by
    /// mirroring at the edge element (`reflect`: −1 → 1, n → n − 2) or clamping (`edge`); in
    /// `constant` mode any axis out of range gives `value`.
    static func pad(_ x: Tensor, begin: [Int], end: [Int], mode: PadMode) -> Tensor {
        precondition(begin.count == x.rank && end.count == x.rank, "pads \(begin), \(end) for shape \(x.shape)")
        let outShape = x.shape.indices.map { begin[$0] + x.shape[$0] + end[$0] }
        let source = x.scalars
        var out = [Float]()
        out.reserveCapacity(outShape.reduce(1, *))
        forEachIndex(outShape) { index in
            var sourceIndex: [Int] = []
            for axis in x.shape.indices {
                let n = x.shape[axis]
                var s = index[axis] - begin[axis]
                switch mode {
                case .constant:
                    break
                case .reflect:
                    s = s < 0 ? -s : (s >= n ? 2 * (n - 1) - s : s)
                case .edge:
                    s = min(max(s, 0), n - 1)
                }
                sourceIndex.append(s)
            }
            if case .constant(let value) = mode, zip(sourceIndex, x.shape).contains(where: { $0 < 0 || $0 >= $1 }) {
                out.append(value)
            } else {
                out.append(source[flatOffset(sourceIndex, in: x.shape)])
            }
        }
        return Tensor(shape: outShape, scalars: out)
    }
}
