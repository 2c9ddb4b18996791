import STCore

/// The K × V × V adjacency tensor an ST-GCN aggregates joints with, built from a skeleton layout
/// exactly as yysijie/st-gcn's `Graph` class does (Yan et al., AAAI 2018, §3.3 and §3.6).
///
/// Definitions, for V joints with bones E and self-links:
/// - hop distance d(j, i): the fewest bones between joints j and i when that is at most `maxHop`,
///   otherwise ∞ (st-gcn stops counting at `maxHop`; ∞ equals ∞ and exceeds every number);
/// - valid hops: 0, `dilation`, 2·`dilation`, … ≤ `maxHop`;
/// - B[j, i] = 1 when d(j, i) is a valid hop, else 0;
/// - column normalisation (st-gcn's `normalize_digraph`, B·D⁻¹): Â[j, i] = B[j, i] / Σ_r B[r, i].
///
/// Entry A[k, j, i] weighs input joint j when computing output joint i, as the aggregation
/// y[·, w] = Σ_k Σ_v x[k, ·, v] · A[k, v, w] consumes it. The strategies split Â into subsets:
/// - `uniform` (K = 1): A[0] = Â;
/// - `distance` (K = number of valid hops): A[h][j, i] = Â[j, i] where d(j, i) is the h-th valid hop;
/// - `spatial` (K = 1 + 2 · valid hops above 0), with c the center joint, for each valid hop h:
///   h = 0 gives the root subset (the diagonal of Â); h > 0 gives two subsets, first the pairs
///   with d(j, i) = h and d(j, c) ≥ d(i, c) (the neighbour is as far from or farther from the
///   center than the joint), then those with d(j, c) < d(i, c).
///
/// Because distances beyond `maxHop` are ∞, with `maxHop = 1` every joint more than one bone from
/// the center ties with every other such joint. st-gcn's published checkpoints were trained with
/// exactly this partition, so it is reproduced here, not corrected.
public struct SpatialPartition: Sendable {
    /// How st-gcn labels the neighbours of a joint (the paper's "partition strategies").
    public enum Strategy: String, Sendable, CaseIterable {
        case uniform, distance, spatial
    }

    public let layout: SkeletonLayout
    public let strategy: Strategy
    public let maxHop: Int
    public let dilation: Int

    /// Hop distances, row-major V × V, with `Int.max` standing for "more than `maxHop`".
    private let hops: [Int]

    /// Throws `STError.invalidRequest` when `maxHop < 0` or `dilation < 1`.
    public init(layout: SkeletonLayout, strategy: Strategy = .spatial, maxHop: Int = 1, dilation: Int = 1) throws {
        guard maxHop >= 0, dilation >= 1 else {
            throw STError.invalidRequest("graph partition needs maxHop ≥ 0 and dilation ≥ 1, got \(maxHop) and \(dilation)")
        }
        self.layout = layout
        self.strategy = strategy
        self.maxHop = maxHop
        self.dilation = dilation
        hops = Self.truncatedHopDistances(layout, maxHop: maxHop)
    }

    /// Breadth-first distances from every joint, stopped after `maxHop` bones.
    private static func truncatedHopDistances(_ layout: SkeletonLayout, maxHop: Int) -> [Int] {
        let count = layout.jointCount
        var neighbours = [[Int]](repeating: [], count: count)
        for (a, b) in layout.edges {
            neighbours[a].append(b)
            neighbours[b].append(a)
        }
        var distances = [Int](repeating: Int.max, count: count * count)
        for source in 0..<count {
            distances[source * count + source] = 0
            var frontier = [source]
            var hop = 0
            while hop < maxHop && !frontier.isEmpty {
                hop += 1
                var next: [Int] = []
                for joint in frontier {
                    for neighbour in neighbours[joint] where distances[source * count + neighbour] == Int.max {
                        distances[source * count + neighbour] = hop
                        next.append(neighbour)
                    }
                }
                frontier = next
            }
        }
        return distances
    }

    /// d(j, i): the number of bones between the joints, or nil when it exceeds `maxHop` (or a
    /// joint index is outside the layout).
    public func hopDistance(_ j: Int, _ i: Int) -> Int? {
        let joints = 0..<layout.jointCount
        guard joints.contains(j), joints.contains(i) else { return nil }
        let distance = hops[j * layout.jointCount + i]
        return distance == Int.max ? nil : distance
    }

    /// The valid hops 0, `dilation`, 2·`dilation`, … ≤ `maxHop`.
    public var validHops: [Int] { Array(stride(from: 0, through: maxHop, by: dilation)) }

    /// Number of subsets K: 1 (`uniform`), the number of valid hops (`distance`), or
    /// 1 + 2·(valid hops above 0) (`spatial`; 3 for st-gcn's default `maxHop = 1`).
    public var subsetCount: Int {
        switch strategy {
        case .uniform: 1
        case .distance: validHops.count
        case .spatial: 1 + 2 * validHops.filter { $0 > 0 }.count
        }
    }

    /// Â = B·D⁻¹ as a V × V matrix (row j = input joint, column i = output joint), in Double so
    /// that the Float tensors round exactly as st-gcn's float64 → float32 conversion does.
    private var normalizedAdjacency: [Double] {
        let count = layout.jointCount
        let valid = Set(validHops)
        let connected = hops.map { valid.contains($0) ? 1.0 : 0.0 }
        var normalized = connected
        for i in 0..<count {
            let degree = (0..<count).reduce(0.0) { $0 + connected[$1 * count + i] }
            guard degree > 0 else { continue }
            for j in 0..<count { normalized[j * count + i] = connected[j * count + i] / degree }
        }
        return normalized
    }

    /// The adjacency tensor A, shape K × V × V (st-gcn's `Graph.A`, registered as the buffer `A`
    /// of its model). Subsets in st-gcn's order; see the type's documentation for each strategy.
    public var adjacency: Tensor {
        let count = layout.jointCount
        let normalized = normalizedAdjacency
        let hops = self.hops
        let center = layout.center
        /// Â where `keep(j, i)`, zero elsewhere.
        func subset(_ keep: (_ j: Int, _ i: Int) -> Bool) -> [Double] {
            (0..<count * count).map { index in keep(index / count, index % count) ? normalized[index] : 0 }
        }
        let subsets: [[Double]]
        switch strategy {
        case .uniform:
            subsets = [normalized]
        case .distance:
            subsets = validHops.map { hop in subset { j, i in hops[j * count + i] == hop } }
        case .spatial:
            subsets = validHops.flatMap { hop -> [[Double]] in
                let isHop = { (j: Int, i: Int) in hops[j * count + i] == hop }
                let fromCenter = { (joint: Int) in hops[joint * count + center] }
                guard hop > 0 else { return [subset(isHop)] }
                return [subset { j, i in isHop(j, i) && fromCenter(j) >= fromCenter(i) },
                        subset { j, i in isHop(j, i) && fromCenter(j) < fromCenter(i) }]
            }
        }
        return Tensor(shape: [subsets.count, count, count], scalars: subsets.flatMap { $0.map(Float.init) })
    }
}
