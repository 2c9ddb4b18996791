import STCore

/// Three-frame snippets of a pinhole camera moving down a textured corridor with known 6-DoF
/// motion: the regression set for SfMLearner's PoseNet (seed 001).
///
/// **Sample.** `input` is `9 × H × W` (default `9 × 64 × 208`): the target frame's RGB, then the
/// previous reference's, then the next reference's — SfMLearner's `[tgt, src₀, src₁]` channel
/// stack. `target` is `2 × 6`: row 0 the pose of the previous reference, row 1 that of the next,
/// each `(tx, ty, tz, rx, ry, rz)` as PoseNet outputs them. `label` is 0, `groundTruth` nil.
/// Pixel values follow SfMLearner's preprocessing: rendered RGB in `[0, 1]`, then `2v − 1`, so
/// inputs lie in `[−1, 1]`.
///
/// **Pose convention** (SfMLearner's `pose_vec2mat`): a pose vector is the rigid transform from
/// the target camera to the reference camera, `X_ref = R·X_tgt + t`, with `t = (tx, ty, tz)` and
/// `R = R_x(rx)·R_y(ry)·R_z(rz)` (radians; each factor the right-handed rotation about that
/// axis). Camera axes: x right, y down, z forward (optical axis). A camera that moved forward by
/// `s` therefore has `tz = −s`.
///
/// **Camera.** Pinhole with focal length `f` pixels and principal point at the image centre:
/// the pixel in row `v`, column `u` sees the ray `((u + ½ − W/2)/f, (v + ½ − H/2)/f, 1)`, i.e.
/// `K = [[f, 0, W/2 − ½], [0, f, H/2 − ½], [0, 0, 1]]` in integer pixel indices.
///
/// **Rendering** is inverse warping by ray casting: each pixel's ray, expressed in the target
/// frame (origin `−Rᵀt`, direction `Rᵀ·ray`), is intersected with every plane of the `Scene`;
/// the nearest hit's texture is sampled bilinearly (`Raster.sampleWrapping`). The default scene
/// is a corridor — floor, two side walls and an end wall — whose depth variation makes
/// translation and rotation distinguishable (parallax).
///
/// **Motion.** Each sample draws a per-frame motion `m`: forward `tz ∈ [−maxForward, 0]`,
/// sideways `tx, ty ∈ ±maxSideways`, yaw `ry ∈ ±maxYaw`, pitch and roll `rx, rz ∈ ±maxTilt`
/// (uniform). The next reference's pose is `m + ε₁`, the previous one's `−m + ε₀`, with each
/// jitter component uniform in `±jitter` × that component's range: smooth, nearly
/// constant-velocity motion, as in driving sequences. The poses are the truth by construction.
public struct VisualOdometry: LabeledDataset {
    /// A 6-DoF pose vector in SfMLearner's order, `(tx, ty, tz, rx, ry, rz)`.
    public struct Pose: Sendable, Equatable {
        /// `(tx, ty, tz)`, scene units.
        public var translation: SIMD3<Float>
        /// `(rx, ry, rz)`, Euler angles in radians.
        public var rotation: SIMD3<Float>

        public init(translation: SIMD3<Float> = .zero, rotation: SIMD3<Float> = .zero) {
            self.translation = translation
            self.rotation = rotation
        }

        /// The pose with components `[tx, ty, tz, rx, ry, rz]` (six values; a precondition).
        public init(_ vector: [Float]) {
            precondition(vector.count == 6, "a pose vector has 6 components, got \(vector.count)")
            self.init(translation: SIMD3(vector[0], vector[1], vector[2]), rotation: SIMD3(vector[3], vector[4], vector[5]))
        }

        /// `[tx, ty, tz, rx, ry, rz]`.
        public var vector: [Float] {
            [translation.x, translation.y, translation.z, rotation.x, rotation.y, rotation.z]
        }

        /// The rows of `R = R_x(rx)·R_y(ry)·R_z(rz)`, with
        /// `R_x = [[1,0,0],[0,c,−s],[0,s,c]]`, `R_y = [[c,0,s],[0,1,0],[−s,0,c]]`,
        /// `R_z = [[c,−s,0],[s,c,0],[0,0,1]]`.
        public var rotationMatrix: [SIMD3<Float>] {
            let (cx, sx) = (cos(rotation.x), sin(rotation.x))
            let (cy, sy) = (cos(rotation.y), sin(rotation.y))
            let (cz, sz) = (cos(rotation.z), sin(rotation.z))
            return [
                SIMD3(cy * cz, -cy * sz, sy),
                SIMD3(sx * sy * cz + cx * sz, -sx * sy * sz + cx * cz, -sx * cy),
                SIMD3(-cx * sy * cz + sx * sz, cx * sy * sz + sx * cz, cx * cy),
            ]
        }

        /// The target-frame point `X` in the reference camera's frame: `R·X + t`.
        public func transform(_ point: SIMD3<Float>) -> SIMD3<Float> {
            let rows = rotationMatrix
            return SIMD3((rows[0] * point).sum(), (rows[1] * point).sum(), (rows[2] * point).sum()) + translation
        }
    }

    /// A textured plane `{X : n·X = offset}` in the target camera's frame. The point `X` shows
    /// texel `(X·uAxis, X·vAxis)·texelsPerUnit` of `texture` (RGB in `[0, 1]`, tiled).
    public struct Plane: Sendable, Equatable {
        /// Unit normal `n`.
        public var normal: SIMD3<Float>
        /// Signed distance of the plane from the origin along `n`.
        public var offset: Float
        /// In-plane direction of the texture's x axis.
        public var uAxis: SIMD3<Float>
        /// In-plane direction of the texture's y axis.
        public var vAxis: SIMD3<Float>
        /// RGB texture in `[0, 1]`, tiled over the plane.
        public var texture: Raster
        /// Texture scale: texels per scene unit.
        public var texelsPerUnit: Float

        public init(normal: SIMD3<Float>, offset: Float, uAxis: SIMD3<Float>, vAxis: SIMD3<Float>,
                    texture: Raster, texelsPerUnit: Float) {
            self.normal = normal
            self.offset = offset
            self.uAxis = uAxis
            self.vAxis = vAxis
            self.texture = texture
            self.texelsPerUnit = texelsPerUnit
        }

        /// Distance `λ = (offset − n·o)/(n·d)` along the ray `o + λd` to the plane, if positive.
        func hitDistance(origin: SIMD3<Float>, direction: SIMD3<Float>) -> Float? {
            let facing = (normal * direction).sum()
            guard facing != 0 else { return nil }
            let distance = (offset - (normal * origin).sum()) / facing
            return distance > 1e-4 ? distance : nil
        }
    }

    /// The planes a camera sees; a ray that hits none renders black.
    public struct Scene: Sendable, Equatable {
        /// The planes, in the target camera's frame.
        public var planes: [Plane]

        public init(planes: [Plane]) {
            self.planes = planes
        }
    }

    /// Image size, camera and motion ranges.
    public struct Configuration: Sendable, Equatable {
        /// Frame height `H` in pixels.
        public var height: Int
        /// Frame width `W` in pixels.
        public var width: Int
        /// Focal length `f` in pixels (default `0.6·W`, an 80° horizontal field of view like KITTI's).
        public var focalLength: Float
        /// Largest forward step per frame, scene units (the corridor is 4–8 units wide).
        public var maxForward: Float
        /// Largest sideways and vertical step per frame.
        public var maxSideways: Float
        /// Largest yaw `|ry|` per frame, radians.
        public var maxYaw: Float
        /// Largest pitch `|rx|` and roll `|rz|` per frame, radians.
        public var maxTilt: Float
        /// Jitter between the two references, as a fraction of each component's range.
        public var jitter: Float

        public init(height: Int = 64, width: Int = 208, focalLength: Float? = nil, maxForward: Float = 0.4,
                    maxSideways: Float = 0.05, maxYaw: Float = 0.02, maxTilt: Float = 0.005, jitter: Float = 0.1) {
            self.height = height
            self.width = width
            self.focalLength = focalLength ?? 0.6 * Float(width)
            self.maxForward = maxForward
            self.maxSideways = maxSideways
            self.maxYaw = maxYaw
            self.maxTilt = maxTilt
            self.jitter = jitter
        }
    }

    /// Which part of the dataset the samples come from.
    public let split: Split
    /// Number of snippets.
    public let count: Int
    /// The dataset seed; with `split` and the index it fixes every sample.
    public let seed: UInt64
    /// Image size, camera and motion ranges.
    public let configuration: Configuration

    /// `count` snippets of `split`, reproducible from `seed`.
    /// - Throws: `STError.invalidRequest` for a non-positive size or focal length, or negative ranges.
    public init(split: Split = .train, count: Int, seed: UInt64 = 0, configuration: Configuration = Configuration()) throws {
        try Split.validate(count: count, dataset: "VisualOdometry")
        guard configuration.height > 0, configuration.width > 0, configuration.focalLength > 0 else {
            throw STError.invalidRequest("VisualOdometry: image size and focal length must be positive")
        }
        let ranges = [configuration.maxForward, configuration.maxSideways, configuration.maxYaw,
                      configuration.maxTilt, configuration.jitter]
        guard ranges.allSatisfy({ $0 >= 0 }) else {
            throw STError.invalidRequest("VisualOdometry: motion ranges and jitter must not be negative")
        }
        self.split = split
        self.count = count
        self.seed = seed
        self.configuration = configuration
    }

    /// Empty: a regression dataset.
    public var classNames: [String] { [] }

    /// Sample `index`: frames `[target, previous, next]` stacked on channels (`9 × H × W`) and
    /// their relative poses (`2 × 6`).
    public func sample(_ index: Int) -> Sample {
        let scene = scene(index)
        let references = poses(index)
        let frames = [render(scene, from: Pose())] + references.map { render(scene, from: $0) }
        return Sample(input: stack(frames).reshaped([9, configuration.height, configuration.width]), label: 0,
                      target: Tensor(shape: [2, 6], scalars: references.flatMap(\.vector)))
    }

    /// The corridor of sample `index` (`0 ≤ index < count`): floor `y = h` (`h ∈ [1.2, 1.8]`),
    /// walls `x = −w_l` and `x = w_r` (`w ∈ [2, 4]`), end wall `z = d` (`d ∈ [15, 25]`), each with
    /// its own 128×128 smooth-noise texture at 12 texels per unit.
    public func scene(_ index: Int) -> Scene {
        precondition(index >= 0 && index < count, "VisualOdometry index \(index) outside 0..<\(count)")
        let sampleSeed = split.sampleSeed(datasetSeed: seed, index: index)
        var generator = SeededGenerator(seed: sampleSeed)
        let floor = generator.uniform(1.2, 1.8)
        let left = generator.uniform(2, 4)
        let right = generator.uniform(2, 4)
        let end = generator.uniform(15, 25)
        let layouts: [(normal: SIMD3<Float>, offset: Float, u: SIMD3<Float>, v: SIMD3<Float>)] = [
            (SIMD3(0, 1, 0), floor, SIMD3(1, 0, 0), SIMD3(0, 0, 1)),
            (SIMD3(1, 0, 0), -left, SIMD3(0, 0, 1), SIMD3(0, 1, 0)),
            (SIMD3(1, 0, 0), right, SIMD3(0, 0, 1), SIMD3(0, 1, 0)),
            (SIMD3(0, 0, 1), end, SIMD3(1, 0, 0), SIMD3(0, 1, 0)),
        ]
        let planes = layouts.enumerated().map { k, layout in
            let base = RGB(generator.uniform(0.3, 0.7), generator.uniform(0.3, 0.7), generator.uniform(0.3, 0.7))
            let texture = Raster.texture(height: 128, width: 128, base: base, contrast: 0.6,
                                         cellSizes: [16, 8, 4, 2], seed: mixSeed(sampleSeed, UInt64(k + 1)))
            return Plane(normal: layout.normal, offset: layout.offset, uAxis: layout.u, vAxis: layout.v,
                         texture: texture, texelsPerUnit: 16)
        }
        return Scene(planes: planes)
    }

    /// The poses of the previous and next reference of sample `index` relative to its target
    /// (see the type's documentation for how they are drawn).
    public func poses(_ index: Int) -> [Pose] {
        precondition(index >= 0 && index < count, "VisualOdometry index \(index) outside 0..<\(count)")
        var generator = SeededGenerator(seed: mixSeed(split.sampleSeed(datasetSeed: seed, index: index), 0))
        let c = configuration
        let low: [Float] = [-c.maxSideways, -c.maxSideways, -c.maxForward, -c.maxTilt, -c.maxYaw, -c.maxTilt]
        let high: [Float] = [c.maxSideways, c.maxSideways, 0, c.maxTilt, c.maxYaw, c.maxTilt]
        let motion = (0..<6).map { generator.uniform(low[$0], high[$0]) }
        func jitter(_ k: Int) -> Float { c.jitter * (high[k] - low[k]) * generator.uniform(-1, 1) }
        let previous = (0..<6).map { -motion[$0] + jitter($0) }
        let next = (0..<6).map { motion[$0] + jitter($0) }
        return [Pose(previous), Pose(next)]
    }

    /// The view of `scene` from the camera whose pose relative to the target camera is `pose`
    /// (`X_cam = R·X + t`): `3 × H × W`, values `2v − 1` for rendered RGB `v ∈ [0, 1]`.
    public func render(_ scene: Scene, from pose: Pose) -> Tensor {
        let (height, width, f) = (configuration.height, configuration.width, configuration.focalLength)
        let rows = pose.rotationMatrix
        let transposed = [SIMD3(rows[0].x, rows[1].x, rows[2].x),
                          SIMD3(rows[0].y, rows[1].y, rows[2].y),
                          SIMD3(rows[0].z, rows[1].z, rows[2].z)]
        func rotateBack(_ vector: SIMD3<Float>) -> SIMD3<Float> {
            SIMD3((transposed[0] * vector).sum(), (transposed[1] * vector).sum(), (transposed[2] * vector).sum())
        }
        let origin = -rotateBack(pose.translation)
        let planePixels = height * width
        var image = [Float](repeating: -1, count: 3 * planePixels)
        for v in 0..<height {
            for u in 0..<width {
                let ray = SIMD3((Float(u) + 0.5 - Float(width) / 2) / f, (Float(v) + 0.5 - Float(height) / 2) / f, 1)
                let direction = rotateBack(ray)
                var nearest: (distance: Float, plane: Int)?
                for (k, plane) in scene.planes.enumerated() {
                    if let distance = plane.hitDistance(origin: origin, direction: direction),
                       distance < nearest?.distance ?? .infinity {
                        nearest = (distance, k)
                    }
                }
                guard let (distance, k) = nearest else { continue }
                let plane = scene.planes[k]
                let point = origin + distance * direction
                let x = (point * plane.uAxis).sum() * plane.texelsPerUnit
                let y = (point * plane.vAxis).sum() * plane.texelsPerUnit
                for c in 0..<3 {
                    let value = min(1, max(0, plane.texture.sampleWrapping(channel: c, x: x, y: y)))
                    image[c * planePixels + v * width + u] = 2 * value - 1
                }
            }
        }
        return Tensor(shape: [3, height, width], scalars: image)
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
