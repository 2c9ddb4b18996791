import Foundation
import STCore

/// Occlusion (Zeiler & Fergus 2014), as Captum's `Occlusion`/`FeatureAblation`: each region r is
/// replaced by the baseline value b in a copy of the input, and its effect on the target
///
///     Δ_r = f(x) − f(x with region r set to b)
///
/// is credited to every element the region covers; an element's attribution is the mean Δ over the
/// regions that cover it (0 when none does). Positive values: hiding the region lowers the target.
/// The N × R occluded copies run as `batching` says (no gradients).
public struct OcclusionExplainer: Explainer {
    /// The window over the map axes — (T, H, W), (H, W) or (T, V) — covering all channels (and
    /// persons). nil: about an eighth of each spatial axis and a quarter of time; for skeletons
    /// one joint over all frames.
    public var window: [Int]?
    /// The window's stride (the window itself when nil).
    public var stride: [Int]?
    /// Skeletons: joint sets (e.g. body parts) to occlude over all frames instead of a window.
    public var jointGroups: [[Int]]?
    /// The value occluded elements take (in the input's own units).
    public var baseline: Float
    public var batching: Batching
    public var method: Method { .occlusion }

    public init(window: [Int]? = nil, stride: [Int]? = nil, jointGroups: [[Int]]? = nil, baseline: Float = 0,
                batching: Batching = Batching()) {
        self.window = window
        self.stride = stride
        self.jointGroups = jointGroups
        self.baseline = baseline
        self.batching = batching
    }

    public func explain(_ input: Tensor, model: ExplainedModel, target: Target) throws -> Explanation {
        let started = Date()
        let trace = try model.forward(input, differentiable: false)
        let resolved = try target.resolve(in: trace, model: model)
        let mapShape = model.inputKind.mapShape(ofInput: input.shape)
        let regions = try regions(mapShape: mapShape, kind: model.inputKind)
        let regionPositions = regions.map { $0.positions(in: mapShape) }
        let objective = try resolved.objective(Array(0..<input.shape[0]))
        let unoccluded = try objective.values(try trace.activation(objective.node ?? model.graph.output))

        let evaluation = BatchedEvaluation(model: model, target: resolved, inputShape: input.shape, batching: batching)
        let size = evaluation.rowSize
        let plane = mapShape.reduce(1, *)
        let channels = input.shape[1]
        let persons = model.inputKind == .skeleton ? input.shape[4] : 1
        let x = input.plain().scalars
        var drops = [Float](repeating: 0, count: input.shape[0] * plane)
        var covered = drops
        try evaluation.run(count: input.shape[0] * regions.count, sample: { $0 / regions.count }, gradients: false,
                           fill: { row, buffer in
            let sample = row / regions.count
            for i in 0..<size { buffer[i] = x[sample * size + i] }
            for position in regionPositions[row % regions.count] {
                for c in 0..<channels {
                    for m in 0..<persons { buffer[(c * plane + position) * persons + m] = baseline }
                }
            }
        }, use: { row, value, _ in
            let sample = row / regions.count
            for position in regionPositions[row % regions.count] {
                drops[sample * plane + position] += unoccluded[sample] - value
                covered[sample * plane + position] += 1
            }
        })
        let map = Tensor(shape: [input.shape[0]] + mapShape,
                         scalars: zip(drops, covered).map { $1 > 0 ? $0 / $1 : 0 })
        let attribution = MapBroadcast.multiply(Tensor(repeating: 1, shape: input.shape), by: map, kind: model.inputKind)
        return try Explanation(method: method, layer: nil, map: map, attribution: attribution, target: resolved,
                               trace: trace, model: model, started: started)
    }

    func regions(mapShape: [Int], kind: InputKind) throws -> [OcclusionRegion] {
        if let groups = jointGroups {
            guard kind == .skeleton else { throw STError.invalidRequest("joint groups apply to skeleton inputs only") }
            if let bad = groups.joined().first(where: { !(0..<mapShape[1]).contains($0) }) {
                throw STError.invalidRequest("joint \(bad) is out of range for \(mapShape[1]) joints")
            }
            return groups.map { .joints($0) }
        }
        guard let window else { return try OcclusionRegion.defaults(shape: mapShape, kind: kind) }
        return try OcclusionRegion.slidingWindows(shape: mapShape, window: window, stride: stride ?? window)
    }
}
