import STCore

/// What `Graph.load(stateDict:strict:source:)` did with a checkpoint.
public struct LoadReport: Sendable, Equatable {
    /// A checkpoint tensor whose shape differs from the graph's tensor of the same key.
    public struct ShapeMismatch: Sendable, Equatable {
        public let key: String
        /// The graph's shape.
        public let expected: [Int]
        /// The checkpoint's shape.
        public let got: [Int]
    }

    /// Keys whose values were assigned to the graph, sorted.
    public internal(set) var loaded: [String] = []
    /// Graph parameters and buffers the checkpoint lacks (left as they were), sorted.
    public internal(set) var missing: [String] = []
    /// Checkpoint keys the graph does not have (not loaded), sorted.
    public internal(set) var unexpected: [String] = []
    /// Keys present on both sides with different shapes (not loaded), sorted by key.
    public internal(set) var shapeMismatches: [ShapeMismatch] = []
    /// Checkpoint keys skipped on purpose: PyTorch's `*.num_batches_tracked` counters.
    public internal(set) var ignored: [String] = []
    /// Fixed adjacency buffers (`A`) found equal to the graph's within the tolerance.
    public internal(set) var verified: [String] = []

    /// Whether every graph key was loaded and every checkpoint key used or deliberately ignored.
    public var isComplete: Bool { missing.isEmpty && unexpected.isEmpty && shapeMismatches.isEmpty }

    /// One line per problem, for listing as warnings after a non-strict load.
    public var warnings: [String] {
        missing.map { "missing: \($0)" } + unexpected.map { "unexpected: \($0)" }
            + shapeMismatches.map { "shape mismatch: \($0.key) expected \($0.expected) got \($0.got)" }
    }

    /// All problems on one line, `missing: a, b; unexpected: c; shape mismatch: d expected [..] got [..]`,
    /// each list cut after `listLimit` items with "… and N more"; empty when complete.
    public var summary: String {
        var parts: [String] = []
        if !missing.isEmpty { parts.append("missing: " + Self.abbreviated(missing)) }
        if !unexpected.isEmpty { parts.append("unexpected: " + Self.abbreviated(unexpected)) }
        if !shapeMismatches.isEmpty {
            parts.append("shape mismatch: " + Self.abbreviated(shapeMismatches.map { "\($0.key) expected \($0.expected) got \($0.got)" }))
        }
        return parts.joined(separator: "; ")
    }

    /// Items listed per kind of problem in `summary` before the rest are counted.
    public static let listLimit = 5

    static func abbreviated(_ items: [String]) -> String {
        let shown = items.prefix(listLimit).joined(separator: ", ")
        return items.count > listLimit ? "\(shown) … and \(items.count - listLimit) more" : shown
    }
}

extension Graph {
    /// Largest |checkpoint − graph| accepted for a fixed adjacency buffer.
    public static let adjacencyTolerance: Float = 1e-5

    /// Whether a state key names a fixed adjacency buffer: `A` or a key ending in `.A` (ST-GCN
    /// registers its normalised partition adjacency as the buffer `A`).
    public static func isAdjacencyKey(_ key: String) -> Bool {
        key == "A" || key.hasSuffix(".A")
    }

    /// Assigns checkpoint tensors to the graph's parameters and buffers by state_dict key, as
    /// PyTorch's `load_state_dict`.
    ///
    /// - Keys `num_batches_tracked` or `*.num_batches_tracked` that the graph lacks are ignored
    ///   (PyTorch batch norm counters; our batch norm has a fixed momentum and never reads them).
    /// - Adjacency buffers (`isAdjacencyKey`) are built by the graph, not loaded: when the
    ///   checkpoint has one, it must have the same shape and max |Δ| ≤ `adjacencyTolerance`, which
    ///   confirms the graph's partition; otherwise this throws in either mode. A checkpoint without
    ///   it is fine.
    /// - Strict (default): missing keys, unexpected keys and shape mismatches are all reported at
    ///   once as `STError.badInput(file: source, reason: report.summary)` and nothing is assigned.
    /// - Non-strict: every key whose shape matches is assigned; the report lists the rest.
    ///
    /// Values are taken as given (a file reader such as `SafeTensors.read` has already rejected
    /// non-finite weights). `source` names the checkpoint in errors.
    @discardableResult
    public mutating func load(stateDict: [String: Tensor], strict: Bool = true, source: String) throws -> LoadReport {
        var report = LoadReport()
        var adjacencyProblems: [String] = []
        for (key, value) in stateDict.sorted(by: { $0.key < $1.key }) {
            guard let current = parameters[key] ?? buffers[key] else {
                if key == "num_batches_tracked" || key.hasSuffix(".num_batches_tracked") {
                    report.ignored.append(key)
                } else {
                    report.unexpected.append(key)
                }
                continue
            }
            if buffers[key] != nil && Self.isAdjacencyKey(key) {
                if let problem = Self.adjacencyDifference(key: key, graph: current, checkpoint: value) {
                    adjacencyProblems.append(problem)
                } else {
                    report.verified.append(key)
                }
            } else if current.shape != value.shape {
                report.shapeMismatches.append(.init(key: key, expected: current.shape, got: value.shape))
            } else {
                report.loaded.append(key)
            }
        }
        report.missing = (Array(parameters.keys) + buffers.keys.filter { !Self.isAdjacencyKey($0) })
            .filter { stateDict[$0] == nil }.sorted()

        if !adjacencyProblems.isEmpty {
            let reasons = ([report.summary] + adjacencyProblems).filter { !$0.isEmpty }
            throw STError.badInput(file: source, reason: reasons.joined(separator: "; "))
        }
        if strict && !report.isComplete {
            throw STError.badInput(file: source, reason: report.summary)
        }
        for key in report.loaded {
            if parameters[key] != nil {
                parameters[key] = stateDict[key]
            } else {
                buffers[key] = stateDict[key]
            }
        }
        return report
    }

    /// Why a checkpoint's adjacency differs from the graph's, or nil when it agrees:
    /// same shape and max_i |checkpoint_i − graph_i| ≤ `adjacencyTolerance` (NaN counts as ∞).
    static func adjacencyDifference(key: String, graph: Tensor, checkpoint: Tensor) -> String? {
        guard graph.shape == checkpoint.shape else {
            return "adjacency '\(key)' differs from the graph's partition: shape \(checkpoint.shape) in the checkpoint, "
                + "\(graph.shape) in the graph"
        }
        let differences = zip(graph.scalars, checkpoint.scalars).map { abs($0 - $1) }.map { $0.isNaN ? Float.infinity : $0 }
        guard let worst = differences.indices.max(by: { differences[$0] < differences[$1] }),
              differences[worst] > adjacencyTolerance else { return nil }
        return "adjacency '\(key)' differs from the graph's partition: |Δ| = \(differences[worst]) at element \(worst) "
            + "(checkpoint \(checkpoint.scalars[worst]), graph \(graph.scalars[worst]); tolerance \(adjacencyTolerance))"
    }
}

extension SafeTensors {
    /// Reads the safetensors file at `path` and loads it into `graph` with
    /// `Graph.load(stateDict:strict:source:)`. Integer tensors take part as `Float` (so a
    /// stray integer key is reported like any other), and `num_batches_tracked` is ignored.
    @discardableResult
    public static func loadModelWeights(path: String, into graph: inout Graph, strict: Bool = true) throws -> LoadReport {
        let contents = try read(path: path)
        let stateDict = contents.tensors.merging(contents.integerTensors.mapValues(\.floatTensor)) { float, _ in float }
        return try graph.load(stateDict: stateDict, strict: strict, source: path)
    }
}
