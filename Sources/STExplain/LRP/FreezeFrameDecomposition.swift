import Foundation
import STCore

/// Seed 002's discriminative split of a clip's relevance into a spatial and a temporal part.
///
/// For a clip of n frames explained for class c with relevance R (N, C, n, H, W):
/// - the freeze clip of frame t repeats it n times, [f_t]×n (repetition, never zero padding,
///   which would add a false cut);
/// - all n freeze clips of every sample are explained for the same class in batched passes;
/// - spatial S_t = the freeze clip's relevance averaged over its n copies, a frame-sized map;
/// - temporal T_t = R_t − S_t, the relevance the motion around frame t carries.
public struct FreezeFrameDecomposition: Sendable {
    /// R, the relevance of the clip itself.
    public let original: Tensor
    /// S, with the input's shape.
    public let spatial: Tensor
    /// R − S, with the input's shape.
    public let temporal: Tensor
    /// The model's top class on each frame's freeze clip, per sample (N × T): seed 002 shows
    /// the prediction changes once the motion is gone.
    public let freezeFramePredictions: [[Int]]

    /// Splits `relevance` (of `input`, explained for `classes`, one per sample) with LRP under
    /// `composite`, the freeze clips run as `batching` says.
    static func compute(input: Tensor, relevance: Tensor, classes: [Int], model: ExplainedModel,
                        composite: LRPComposite, batching: Batching) throws -> FreezeFrameDecomposition {
        guard model.inputKind == .video, input.rank == 5 else {
            throw STError.invalidRequest("the spatial/temporal split needs N × C × T × H × W clips")
        }
        let (samples, channels, frames) = (input.shape[0], input.shape[1], input.shape[2])
        let plane = input.shape[3] * input.shape[4]
        let clipSize = channels * frames * plane
        let x = input.plain().scalars
        var spatial = [Float](repeating: 0, count: x.count)
        let rows = samples * frames
        var predictions = [Int](repeating: 0, count: rows)
        // Visits (element of frame t in sample n, the same element in each copy of the freeze clip
        // of row n·T + t, stored at `offset` in a batch).
        func pairs(row: Int, offset: Int, _ body: (Int, Int) -> Void) {
            let (n, t) = (row / frames, row % frames)
            for c in 0..<channels {
                for copy in 0..<frames {
                    let clipStart = n * clipSize + (c * frames + t) * plane
                    let freezeStart = offset * clipSize + (c * frames + copy) * plane
                    for p in 0..<plane { body(clipStart + p, freezeStart + p) }
                }
            }
        }
        for start in stride(from: 0, to: rows, by: batching.size) {
            let batchRows = Array(start..<min(start + batching.size, rows))
            let batch = Self.freezeClips(of: input, rows: batchRows)
            let explanation = try LRPExplainer(composite: composite)
                .explain(batch, model: model, target: .classIndices(batchRows.map { classes[$0 / frames] }))
            let r = explanation.attribution.scalars
            for (offset, row) in batchRows.enumerated() { predictions[row] = explanation.topK[offset].first?.class ?? -1 }
            for (offset, row) in batchRows.enumerated() {
                pairs(row: row, offset: offset) { clipIndex, freezeIndex in spatial[clipIndex] += r[freezeIndex] / Float(frames) }
            }
            batching.progress?(batchRows.last! + 1, rows)
        }
        let original = relevance.plain().scalars
        return FreezeFrameDecomposition(original: relevance, spatial: Tensor(shape: input.shape, scalars: spatial),
                                        temporal: Tensor(shape: input.shape, scalars: zip(original, spatial).map { $0 - $1 }),
                                        freezeFramePredictions: (0..<samples).map { Array(predictions[($0 * frames)..<(($0 + 1) * frames)]) })
    }
}

extension FreezeFrameDecomposition {
    /// The freeze clips [f_t]×T of rows n·T + t of `input` (N, C, T, H, W): frame t of sample n
    /// repeated T times, stacked as (rows.count, C, T, H, W).
    public static func freezeClips(of input: Tensor, rows: [Int]) -> Tensor {
        let (channels, frames) = (input.shape[1], input.shape[2])
        let plane = input.shape[3] * input.shape[4]
        let clipSize = channels * frames * plane
        let x = input.plain().scalars
        var clips = [Float](repeating: 0, count: rows.count * clipSize)
        for (offset, row) in rows.enumerated() {
            let (n, t) = (row / frames, row % frames)
            for c in 0..<channels {
                let source = n * clipSize + (c * frames + t) * plane
                for copy in 0..<frames {
                    let target = offset * clipSize + (c * frames + copy) * plane
                    clips[target..<(target + plane)] = x[source..<(source + plane)]
                }
            }
        }
        return Tensor(shape: [rows.count] + input.shape.dropFirst(), scalars: clips)
    }
}

/// `lrp-st`: LRP of the clip, then its `FreezeFrameDecomposition` (attribution = the original
/// relevance; `freezeFrames` holds S, R − S and the freeze clips' predictions). Batch norms are
/// folded once for the clip and all its freeze-clip batches, which run `batching.size` freeze
/// clips per pass.
public struct SpatioTemporalLRPExplainer: Explainer {
    /// The LRP rules (zennit's EpsilonPlus by default).
    public var composite: LRPComposite
    public var batching: Batching
    public var method: Method { .lrpSpatioTemporal }

    public init(composite: LRPComposite = .epsilonPlus, batching: Batching = Batching()) {
        self.composite = composite
        self.batching = batching
    }

    public func explain(_ input: Tensor, model: ExplainedModel, target: Target) throws -> Explanation {
        let started = Date()
        var folded = model
        folded.graph = try BatchNormFolding.fold(model.graph)
        let whole = try LRPExplainer(composite: composite).explain(input, model: folded, target: target)
        guard let classes = whole.targetClasses else {
            throw STError.invalidRequest("the spatial/temporal split explains a class; give a class target")
        }
        let split = try FreezeFrameDecomposition.compute(input: input, relevance: whole.attribution, classes: classes,
                                                          model: folded, composite: composite, batching: batching)
        return whole.with(method: method, split: split, started: started)
    }
}
