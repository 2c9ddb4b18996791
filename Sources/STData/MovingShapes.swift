import STCore

/// Synthetic video clips whose class is decided by one object: by how it moves (motion
/// patterns) or by what it looks like (appearance patterns), with a per-voxel ground-truth mask
/// of that object.
///
/// A clip is `3 × T × H × W` (default `3 × 16 × 32 × 32`): a static smooth-noise background
/// (`Raster.texture`), 1–3 *distractors* (circles, squares, triangles in saturated colours) and
/// the *deciding object*, drawn last so it is never occluded. Distractors oscillate about a
/// fixed point along a random direction, `c₀ + a·sin(2πt/P + ψ)·(cos φ, sin φ)` with amplitude
/// `a ≈ 4–9 %` of the frame and period `P ∈ [5, 10]` frames; they never drift, circle, blink,
/// and are never stars or rings, so the deciding pattern is unique in the clip. The deciding
/// object follows its `Pattern`; its path is scaled by the progress `p(t)` of `Timing`.
///
/// Pixel values: the rendered RGB in `[0, 1]` plus Gaussian noise of standard deviation
/// `noise` per voxel, then normalised per channel, `x̂_c = (x_c − mean_c) / std_c`, with the
/// constants `channelMean` and `channelStd` (measured on the default configuration, so inputs
/// have mean ≈ 0 and standard deviation ≈ 1 per channel — the preprocessing preset of this
/// dataset).
///
/// Ground truth: `T × H × W`, 1 where the deciding object covers at least half of a pixel
/// (its signed distance at the pixel centre is ≤ 0, `Silhouette.covers`) in a frame where it
/// is visible, 0 elsewhere. Labels cycle with the index (`label = index mod classes`), so
/// every split is balanced.
public struct MovingShapes: LabeledDataset {
    /// What decides the class: a motion of the deciding object, or its static appearance.
    public enum Pattern: String, Sendable, CaseIterable {
        /// Moves straight left by 35–55 % of the frame width.
        case moveLeft
        /// Moves straight right by 35–55 % of the frame width.
        case moveRight
        /// Moves straight up by 35–55 % of the frame height.
        case moveUp
        /// Moves straight down by 35–55 % of the frame height.
        case moveDown
        /// Travels ¾ to one full turn of a circle of radius 15–22 % of the frame, either way round.
        case circle
        /// Static, shown for `k` frames and hidden for `k` (k ∈ {2, 3}, random phase).
        case blink
        /// A static red five-pointed star is present (appearance alone decides).
        case redStar
        /// A static blue ring is present (appearance alone decides).
        case blueRing

        /// The class name shown to users ("move left", "red star", …).
        public var name: String {
            switch self {
            case .moveLeft: "move left"
            case .moveRight: "move right"
            case .moveUp: "move up"
            case .moveDown: "move down"
            case .circle: "circle"
            case .blink: "blink"
            case .redStar: "red star"
            case .blueRing: "blue ring"
            }
        }

        /// Whether one frame suffices to decide the class (a static cue): the patterns whose
        /// relevance is purely spatial in the spatial/temporal split.
        public var isAppearance: Bool { self == .redStar || self == .blueRing }

        /// The patterns decided by motion: the deciding object changes position over time.
        public static let motions: [Pattern] = [.moveLeft, .moveRight, .moveUp, .moveDown, .circle]
    }

    /// How the deciding object's path is traversed: progress `p(t) ∈ [0, 1]` at frame `t` of `T`,
    /// with `s = t / (T − 1)`.
    public enum Timing: Sendable, Equatable {
        /// Constant speed, `p = s`: reversed in time, a clip looks like a forward clip of the
        /// opposite motion.
        case uniform
        /// Decelerating to rest, `p = 1 − (1 − s)²` (speed falls linearly to zero at the last
        /// frame): the direction of time is visible in the motion.
        case easeOut

        /// Progress `p(t)` along the path at frame `t` of `frames`.
        public func progress(frame t: Int, of frames: Int) -> Float {
            let s = Float(t) / Float(frames - 1)
            switch self {
            case .uniform: return s
            case .easeOut: return 1 - (1 - s) * (1 - s)
            }
        }
    }

    /// Clip size and content.
    public struct Configuration: Sendable, Equatable {
        /// Frames `T` (at least 4).
        public var frames: Int
        /// Frame height `H` in pixels (at least 16).
        public var height: Int
        /// Frame width `W` in pixels (at least 16).
        public var width: Int
        /// The classes, in label order (distinct, non-empty).
        public var patterns: [Pattern]
        /// How many distractors a clip holds (drawn uniformly from this range).
        public var distractors: ClosedRange<Int>
        /// Standard deviation of the per-voxel Gaussian noise, in units of the `[0, 1]` RGB range.
        public var noise: Float
        /// Speed profile of the deciding object.
        public var timing: Timing

        public init(frames: Int = 16, height: Int = 32, width: Int = 32, patterns: [Pattern] = Pattern.allCases,
                    distractors: ClosedRange<Int> = 1...3, noise: Float = 0.05, timing: Timing = .uniform) {
            self.frames = frames
            self.height = height
            self.width = width
            self.patterns = patterns
            self.distractors = distractors
            self.noise = noise
            self.timing = timing
        }

        /// The source used by `ArrowOfTime`: motion patterns only, decelerating (`easeOut`), so
        /// the deciding object is the only thing in the clip that reveals the direction of time.
        public static let arrowOfTime = Configuration(patterns: Pattern.motions, timing: .easeOut)
    }

    /// A drawn object: its outline, colour, and centre and visibility in every frame.
    public struct Object: Sendable, Equatable {
        /// Outline and size.
        public var silhouette: Silhouette
        /// Fill colour in `[0, 1]` RGB.
        public var colour: RGB
        /// Centre in pixel coordinates (x right, y down) at each frame.
        public var centres: [SIMD2<Float>]
        /// Whether the object is drawn at each frame.
        public var visible: [Bool]
    }

    /// Everything needed to render one clip.
    public struct Scene: Sendable, Equatable {
        /// The deciding pattern.
        public var pattern: Pattern
        /// Its class index, `configuration.patterns.firstIndex(of: pattern)`.
        public var label: Int
        /// RGB background in `[0, 1]`, the same in every frame.
        public var background: Raster
        /// Objects drawn first, in order; they carry no class information.
        public var distractors: [Object]
        /// The object that decides the label, drawn last.
        public var decidingObject: Object
        /// Seed of the per-voxel noise.
        public var noiseSeed: UInt64
    }

    /// Per-channel (R, G, B) mean of the rendered `[0, 1]` values over the default
    /// configuration (first 2,000 training clips of seed 0), subtracted before scaling.
    public static let channelMean: [Float] = [0.505, 0.509, 0.495]
    /// Per-channel standard deviation of the rendered values, measured like `channelMean`.
    public static let channelStd: [Float] = [0.182, 0.166, 0.175]

    /// Which part of the dataset the samples come from.
    public let split: Split
    /// Number of clips.
    public let count: Int
    /// The dataset seed; with `split` and the index it fixes every sample.
    public let seed: UInt64
    /// Clip size and content.
    public let configuration: Configuration

    /// `count` clips of `split`, reproducible from `seed`.
    /// - Throws: `STError.invalidRequest` if the configuration or `count` is out of range.
    public init(split: Split = .train, count: Int, seed: UInt64 = 0, configuration: Configuration = Configuration()) throws {
        try Split.validate(count: count, dataset: "MovingShapes")
        guard configuration.frames >= 4, configuration.height >= 16, configuration.width >= 16 else {
            throw STError.invalidRequest(
                "MovingShapes: clips need at least 4 frames of 16×16 pixels, got \(configuration.frames)×\(configuration.height)×\(configuration.width)")
        }
        guard !configuration.patterns.isEmpty, Set(configuration.patterns).count == configuration.patterns.count else {
            throw STError.invalidRequest("MovingShapes: patterns must be distinct and non-empty")
        }
        guard configuration.distractors.lowerBound >= 0, configuration.noise >= 0 else {
            throw STError.invalidRequest("MovingShapes: distractor count and noise must not be negative")
        }
        self.split = split
        self.count = count
        self.seed = seed
        self.configuration = configuration
    }

    public var classNames: [String] { configuration.patterns.map(\.name) }

    /// Sample `index`: the normalised clip (`3 × T × H × W`), its label, and the deciding
    /// object's mask (`T × H × W`) as ground truth.
    public func sample(_ index: Int) -> Sample {
        let scene = scene(index)
        return Sample(input: render(scene), label: scene.label, groundTruth: mask(scene))
    }

    /// The scene of sample `index` (`0 ≤ index < count`), a pure function of (seed, split, index).
    public func scene(_ index: Int) -> Scene {
        precondition(index >= 0 && index < count, "MovingShapes index \(index) outside 0..<\(count)")
        let sampleSeed = split.sampleSeed(datasetSeed: seed, index: index)
        var generator = SeededGenerator(seed: sampleSeed)
        let label = index % configuration.patterns.count
        let pattern = configuration.patterns[label]
        let size = Float(min(configuration.height, configuration.width))
        let cellSizes = [max(2, Int(size) / 2), max(2, Int(size) / 4), max(2, Int(size) / 8)]
        let base = RGB(generator.uniform(0.35, 0.65), generator.uniform(0.35, 0.65), generator.uniform(0.35, 0.65))
        let background = Raster.texture(height: configuration.height, width: configuration.width, base: base,
                                        contrast: 0.3, cellSizes: cellSizes, seed: mixSeed(sampleSeed, 1))
        let distractorCount = generator.integer(in: configuration.distractors)
        let distractors = (0..<distractorCount).map { _ in makeDistractor(using: &generator) }
        let decidingObject = makeDecidingObject(pattern, using: &generator)
        return Scene(pattern: pattern, label: label, background: background, distractors: distractors,
                     decidingObject: decidingObject, noiseSeed: mixSeed(sampleSeed, 2))
    }

    /// The normalised clip `3 × T × H × W` of `scene`; with `includingDecidingObject: false` the
    /// same clip (same background, distractors and noise) without the deciding object.
    public func render(_ scene: Scene, includingDecidingObject: Bool = true) -> Tensor {
        let (frames, height, width) = (configuration.frames, configuration.height, configuration.width)
        let framePixels = height * width
        var clip = [Float](repeating: 0, count: 3 * frames * framePixels)
        var objects = scene.distractors
        if includingDecidingObject { objects.append(scene.decidingObject) }
        for t in 0..<frames {
            var frame = scene.background
            for object in objects where object.visible[t] {
                frame.fill(object.silhouette, at: object.centres[t], colour: object.colour)
            }
            for c in 0..<3 {
                let destination = (c * frames + t) * framePixels
                clip[destination..<destination + framePixels] = frame.pixels[c * framePixels..<(c + 1) * framePixels]
            }
        }
        var noise = SeededGenerator(seed: scene.noiseSeed)
        let amplitude = configuration.noise
        for c in 0..<3 {
            let mean = Self.channelMean[c]
            let scale = 1 / Self.channelStd[c]
            for index in c * frames * framePixels..<(c + 1) * frames * framePixels {
                let noisy = amplitude > 0 ? clip[index] + amplitude * noise.nextNormal() : clip[index]
                clip[index] = (noisy - mean) * scale
            }
        }
        return Tensor(shape: [3, frames, height, width], scalars: clip)
    }

    /// The ground-truth mask `T × H × W` of `scene`: 1 where the deciding object is visible and
    /// covers the pixel centre (`Silhouette.covers`), 0 elsewhere.
    public func mask(_ scene: Scene) -> Tensor {
        let (frames, height, width) = (configuration.frames, configuration.height, configuration.width)
        var mask = [Float](repeating: 0, count: frames * height * width)
        let object = scene.decidingObject
        for t in 0..<frames where object.visible[t] {
            forEachPixel(width: width, height: height, near: object.centres[t],
                         reach: object.silhouette.radius + 1) { x, y, dx, dy in
                if object.silhouette.covers(dx: dx, dy: dy) {
                    mask[(t * height + y) * width + x] = 1
                }
            }
        }
        return Tensor(shape: [frames, height, width], scalars: mask)
    }

    // MARK: - Scene generation

    /// Colours of distractors and moving deciding objects (saturated, never the cue red or blue),
    /// each jittered by up to ±0.05 per channel.
    private static let palette: [RGB] = [
        RGB(0.95, 0.85, 0.10), RGB(0.10, 0.80, 0.20), RGB(0.90, 0.10, 0.80), RGB(0.10, 0.85, 0.90),
        RGB(0.95, 0.50, 0.05), RGB(0.97, 0.97, 0.97), RGB(0.05, 0.05, 0.05),
    ]
    private static let cueRed = RGB(0.90, 0.10, 0.10)
    private static let cueBlue = RGB(0.10, 0.20, 0.95)
    private static let plainShapes: [Silhouette.Kind] = [.circle, .square, .triangle]

    private var frameSize: Float { Float(min(configuration.height, configuration.width)) }

    private func makeDistractor(using generator: inout SeededGenerator) -> Object {
        let silhouette = plainSilhouette(using: &generator)
        let colour = jittered(Self.palette[generator.integer(in: 0...Self.palette.count - 1)], using: &generator)
        let amplitude = generator.uniform(0.04, 0.09) * frameSize
        let period = generator.uniform(5, 10)
        let phase = generator.uniform(0, 2 * .pi)
        let heading = generator.uniform(0, 2 * .pi)
        let direction = SIMD2(cos(heading), sin(heading))
        let anchor = position(margin: silhouette.radius + 1 + amplitude, using: &generator)
        let centres = (0..<configuration.frames).map { t in
            anchor + amplitude * sin(2 * .pi * Float(t) / period + phase) * direction
        }
        return Object(silhouette: silhouette, colour: colour, centres: centres,
                      visible: Array(repeating: true, count: configuration.frames))
    }

    private func makeDecidingObject(_ pattern: Pattern, using generator: inout SeededGenerator) -> Object {
        let frames = configuration.frames
        let progress = (0..<frames).map { configuration.timing.progress(frame: $0, of: frames) }
        let always = Array(repeating: true, count: frames)
        switch pattern {
        case .moveLeft, .moveRight, .moveUp, .moveDown:
            let silhouette = plainSilhouette(using: &generator)
            let colour = jittered(Self.palette[generator.integer(in: 0...Self.palette.count - 1)], using: &generator)
            let horizontal = pattern == .moveLeft || pattern == .moveRight
            let sign: Float = pattern == .moveLeft || pattern == .moveUp ? -1 : 1
            let extent = Float(horizontal ? configuration.width : configuration.height)
            let crossExtent = Float(horizontal ? configuration.height : configuration.width)
            let margin = silhouette.radius + 1
            let travel = generator.uniform(0.35, 0.55) * extent
            let start = sign < 0 ? generator.uniform(margin + travel, extent - margin)
                                 : generator.uniform(margin, extent - margin - travel)
            let cross = generator.uniform(margin, crossExtent - margin)
            let centres = progress.map { p -> SIMD2<Float> in
                let along = start + sign * travel * p
                return horizontal ? SIMD2(along, cross) : SIMD2(cross, along)
            }
            return Object(silhouette: silhouette, colour: colour, centres: centres, visible: always)
        case .circle:
            let silhouette = plainSilhouette(using: &generator)
            let colour = jittered(Self.palette[generator.integer(in: 0...Self.palette.count - 1)], using: &generator)
            let orbit = generator.uniform(0.15, 0.22) * frameSize
            let centre = position(margin: silhouette.radius + 1 + orbit, using: &generator)
            let startAngle = generator.uniform(0, 2 * .pi)
            let turn: Float = generator.integer(in: 0...1) == 0 ? 1 : -1
            let sweep = turn * 2 * .pi * generator.uniform(0.75, 1)
            let centres = progress.map { p in
                centre + orbit * SIMD2(cos(startAngle + sweep * p), sin(startAngle + sweep * p))
            }
            return Object(silhouette: silhouette, colour: colour, centres: centres, visible: always)
        case .blink:
            let silhouette = plainSilhouette(using: &generator)
            let colour = jittered(Self.palette[generator.integer(in: 0...Self.palette.count - 1)], using: &generator)
            let halfPeriod = generator.integer(in: 2...3)
            let phase = generator.integer(in: 0...2 * halfPeriod - 1)
            let centre = position(margin: silhouette.radius + 1, using: &generator)
            return Object(silhouette: silhouette, colour: colour, centres: Array(repeating: centre, count: frames),
                          visible: (0..<frames).map { ($0 + phase) / halfPeriod % 2 == 0 })
        case .redStar, .blueRing:
            let kind: Silhouette.Kind = pattern == .redStar ? .star : .ring
            let silhouette = Silhouette(kind, radius: generator.uniform(0.13, 0.17) * frameSize,
                                        rotation: generator.uniform(0, 2 * .pi))
            let colour = jittered(pattern == .redStar ? Self.cueRed : Self.cueBlue, using: &generator)
            let centre = position(margin: silhouette.radius + 1, using: &generator)
            return Object(silhouette: silhouette, colour: colour, centres: Array(repeating: centre, count: frames),
                          visible: always)
        }
    }

    /// A circle, square or triangle with circumradius 11–16 % of the frame and random rotation.
    private func plainSilhouette(using generator: inout SeededGenerator) -> Silhouette {
        let kind = Self.plainShapes[generator.integer(in: 0...Self.plainShapes.count - 1)]
        return Silhouette(kind, radius: generator.uniform(0.11, 0.16) * frameSize, rotation: generator.uniform(0, 2 * .pi))
    }

    /// A uniform position at least `margin` pixels from every border (the centre if none fits).
    private func position(margin: Float, using generator: inout SeededGenerator) -> SIMD2<Float> {
        let width = Float(configuration.width)
        let height = Float(configuration.height)
        return SIMD2(generator.uniform(min(margin, width / 2), max(width - margin, width / 2)),
                     generator.uniform(min(margin, height / 2), max(height - margin, height / 2)))
    }

    private func jittered(_ colour: RGB, using generator: inout SeededGenerator) -> RGB {
        func jitter(_ value: Float) -> Float { min(1, max(0, value + generator.uniform(-0.05, 0.05))) }
        return RGB(jitter(colour.red), jitter(colour.green), jitter(colour.blue))
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
