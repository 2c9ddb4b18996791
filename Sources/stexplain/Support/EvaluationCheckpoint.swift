import STExplain
import STMetrics

/// One batch of `evaluate`'s work: a method's ψ_c pass (`--importance class` without a given
/// file) or its scoring pass.
struct EvaluationStep: Equatable {
    enum Phase { case importance, scores }

    let method: Int
    let phase: Phase
    let batch: Int
    /// Whether this is the phase's last batch (its accumulator is then complete).
    let isLast: Bool

    /// Every step in order: per method, the ψ_c pass over all batches when it is computed here,
    /// then the scoring pass.
    static func plan(methods: [Method], batches: Int, computesImportance: Bool) -> [EvaluationStep] {
        let phases: [Phase] = computesImportance ? [.importance, .scores] : [.scores]
        return methods.indices.flatMap { method in
            phases.flatMap { phase in
                (0..<batches).map { EvaluationStep(method: method, phase: phase, batch: $0, isLast: $0 == batches - 1) }
            }
        }
    }
}

/// What `evaluate` has finished, written to `OUT/.resume/` after every batch: the running sums
/// of the method in progress and the finished methods' totals. Sums are kept, not samples, so
/// the record stays the same size however long the run, and a resumed run adds the remaining
/// batches to exactly the sums an uninterrupted one would have held.
struct EvaluationCheckpoint: Codable {
    static let file = "evaluate.json"

    /// Steps of `EvaluationStep.plan` done.
    var nextStep = 0
    /// Methods whose scoring pass is complete.
    var results: [MethodScores] = []
    /// ψ_c of methods whose importance pass is complete.
    var computedImportance: [String: JointImportance] = [:]
    /// The running sums of the pass in progress.
    var scores: MethodScores?
    var importance: JointImportance?
}
