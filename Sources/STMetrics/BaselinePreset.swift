import STCore
import STExplain

/// The baselines users pick by name (`--baseline`): what a masked, deleted or not yet inserted
/// element holds.
public enum BaselinePreset: String, Sendable, CaseIterable {
    /// Zeros: zero coordinates for skeletons (seed 000); for normalised video, the dataset's
    /// mean colour.
    case zero
    /// The sample's mean over time (clips: the mean frame; skeletons: the mean pose), so a masked
    /// element keeps its static look and loses its motion.
    case mean
    /// The first frame (clips) or pose (skeletons) repeated over time — seed 002's freeze frame:
    /// a masked element keeps the look of the clip's start and loses all motion.
    case freeze
    /// Each frame blurred by a (2r+1)² box filter (r = max(1, min(H, W)/16)), clamped at the
    /// borders (images and clips only): masked regions keep their coarse colour.
    case blur

    /// The baseline for `inputs` of `kind` (video N C T H W, image N C H W, skeleton N C T V M).
    /// - Throws: `STError.invalidRequest` for `blur` on skeletons or `mean` on images.
    public func baseline(for inputs: Tensor, kind: InputKind) throws -> MaskingBaseline {
        switch self {
        case .zero:
            return .constant(0)
        case .mean:
            guard kind != .image else { throw STError.invalidRequest("the 'mean' baseline averages over time; images have none") }
            return .tensor(Self.temporalMean(inputs))
        case .freeze:
            guard kind != .image else { throw STError.invalidRequest("the 'freeze' baseline repeats the first frame; images have none") }
            return .tensor(Self.firstFrameRepeated(inputs))
        case .blur:
            guard kind != .skeleton else { throw STError.invalidRequest("the 'blur' baseline blurs frames; skeletons have none") }
            return .tensor(Self.boxBlurred(inputs))
        }
    }

    /// Every (n, c) series replaced by its mean over axis 2, broadcast back over that axis.
    static func temporalMean(_ inputs: Tensor) -> Tensor {
        constantOverTime(inputs) { series in series.reduce(0, +) / Float(series.count) }
    }

    /// Every (n, c) series replaced by its value at index 0 of axis 2, broadcast over that axis.
    static func firstFrameRepeated(_ inputs: Tensor) -> Tensor {
        constantOverTime(inputs) { series in series[0] }
    }

    /// Each series along axis 2 (one per n, c and position) replaced by `value(series)` at every index.
    private static func constantOverTime(_ inputs: Tensor, _ value: ([Float]) -> Float) -> Tensor {
        let shape = inputs.shape
        let (outer, frames, inner) = (shape[0] * shape[1], shape[2], shape.dropFirst(3).reduce(1, *))
        let x = inputs.plain().scalars
        var result = [Float](repeating: 0, count: x.count)
        var series = [Float](repeating: 0, count: frames)
        for o in 0..<outer {
            for i in 0..<inner {
                for t in 0..<frames { series[t] = x[(o * frames + t) * inner + i] }
                let constant = value(series)
                for t in 0..<frames { result[(o * frames + t) * inner + i] = constant }
            }
        }
        return Tensor(shape: shape, scalars: result)
    }

    /// Box blur over the last two axes with clamped borders, as two separable passes.
    static func boxBlurred(_ inputs: Tensor) -> Tensor {
        let (height, width) = (inputs.shape[inputs.rank - 2], inputs.shape[inputs.rank - 1])
        let radius = max(1, min(height, width) / 16)
        var values = inputs.plain().scalars
        let planes = values.count / (height * width)
        var line = [Float](repeating: 0, count: max(height, width))
        for p in 0..<planes {
            let base = p * height * width
            for y in 0..<height {
                for x in 0..<width { line[x] = values[base + y * width + x] }
                for x in 0..<width { values[base + y * width + x] = boxMean(line, at: x, radius: radius, count: width) }
            }
            for x in 0..<width {
                for y in 0..<height { line[y] = values[base + y * width + x] }
                for y in 0..<height { values[base + y * width + x] = boxMean(line, at: y, radius: radius, count: height) }
            }
        }
        return Tensor(shape: inputs.shape, scalars: values)
    }

    /// Mean of `line[i − r … i + r]`, indices clamped to 0 ..< count.
    private static func boxMean(_ line: [Float], at i: Int, radius: Int, count: Int) -> Float {
        var sum: Float = 0
        for d in -radius...radius { sum += line[min(max(i + d, 0), count - 1)] }
        return sum / Float(2 * radius + 1)
    }
}
