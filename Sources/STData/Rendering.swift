import STCore

// Drawing helpers shared by the synthetic video datasets: a channel-first pixel buffer with
// bilinear sampling, smooth-noise textures, and filled shapes with one-pixel soft edges.
//
// Pixel convention: the pixel in row `y`, column `x` covers the unit square [x, x+1) × [y, y+1),
// so its centre is at (x + 0.5, y + 0.5) and an image of width W spans [0, W].

/// An RGB colour with components in `[0, 1]`.
public struct RGB: Sendable, Equatable {
    /// Red component.
    public var red: Float
    /// Green component.
    public var green: Float
    /// Blue component.
    public var blue: Float

    public init(_ red: Float, _ green: Float, _ blue: Float) {
        self.red = red
        self.green = green
        self.blue = blue
    }

    /// The components in channel order (R, G, B).
    public var components: [Float] { [red, green, blue] }
}

/// A channel-first image, `channels × height × width` floats in row-major order.
public struct Raster: Sendable, Equatable {
    /// Number of channels `C`.
    public let channels: Int
    /// Rows `H`.
    public let height: Int
    /// Columns `W`.
    public let width: Int
    /// Element `(c, y, x)` is at `(c·height + y)·width + x`.
    public var pixels: [Float]

    /// An image filled with `value`.
    public init(channels: Int, height: Int, width: Int, value: Float = 0) {
        self.channels = channels
        self.height = height
        self.width = width
        pixels = [Float](repeating: value, count: channels * height * width)
    }

    /// Element at channel `c`, row `y`, column `x`.
    public subscript(c: Int, y: Int, x: Int) -> Float {
        get { pixels[(c * height + y) * width + x] }
        set { pixels[(c * height + y) * width + x] = newValue }
    }

    /// Bilinear interpolation of channel `c` at the continuous position `(x, y)` (pixel units,
    /// pixel centres at `+0.5`), wrapping around the borders so that the image tiles the plane:
    /// with `u = x − 0.5`, `v = y − 0.5`, `i = ⌊u⌋`, `j = ⌊v⌋`, `a = u − i`, `b = v − j`,
    /// `value = (1−a)(1−b)·I[j,i] + a(1−b)·I[j,i+1] + (1−a)b·I[j+1,i] + ab·I[j+1,i+1]`, indices mod size.
    public func sampleWrapping(channel c: Int, x: Float, y: Float) -> Float {
        let u = x - 0.5
        let v = y - 0.5
        let column = u.rounded(.down)
        let row = v.rounded(.down)
        let a = u - column
        let b = v - row
        let x0 = Self.wrap(Int(column), width)
        let y0 = Self.wrap(Int(row), height)
        let x1 = x0 + 1 == width ? 0 : x0 + 1
        let y1 = y0 + 1 == height ? 0 : y0 + 1
        let plane = c * height * width
        let top = (1 - a) * pixels[plane + y0 * width + x0] + a * pixels[plane + y0 * width + x1]
        let bottom = (1 - a) * pixels[plane + y1 * width + x0] + a * pixels[plane + y1 * width + x1]
        return (1 - b) * top + b * bottom
    }

    /// Paints `silhouette` centred at `centre` with `colour`, blending by its coverage:
    /// `I ← α·colour + (1 − α)·I` with `α = silhouette.coverage` at each pixel centre.
    public mutating func fill(_ silhouette: Silhouette, at centre: SIMD2<Float>, colour: RGB) {
        let colours = colour.components
        precondition(channels == colours.count, "fill needs an RGB raster")
        forEachPixel(width: width, height: height, near: centre, reach: silhouette.radius + 1) { x, y, dx, dy in
            let alpha = silhouette.coverage(dx: dx, dy: dy)
            guard alpha > 0 else { return }
            for c in 0..<channels {
                let index = (c * height + y) * width + x
                pixels[index] = alpha * colours[c] + (1 - alpha) * pixels[index]
            }
        }
    }

    /// Smooth value noise in about `[−1, 1]`: for each cell size `s` in `cellSizes`, a lattice of
    /// uniform random values in `[−1, 1]` every `s` pixels (independent per channel), interpolated
    /// with smoothstep weights `3t² − 2t³`; octaves are summed with weight proportional to `s` and
    /// the sum divided by the total weight. The lattice wraps around, so the texture tiles
    /// seamlessly when `width` and `height` are multiples of every cell size.
    public static func smoothNoise(channels: Int, height: Int, width: Int, cellSizes: [Int], seed: UInt64) -> Raster {
        var generator = SeededGenerator(seed: seed)
        var raster = Raster(channels: channels, height: height, width: width)
        let totalWeight = Float(cellSizes.reduce(0, +))
        for cellSize in cellSizes {
            let weight = Float(cellSize) / totalWeight
            let latticeWidth = (width + cellSize - 1) / cellSize
            let latticeHeight = (height + cellSize - 1) / cellSize
            let rows = (0..<height).map { latticeStep($0, cellSize: cellSize, latticeSize: latticeHeight) }
            let columns = (0..<width).map { latticeStep($0, cellSize: cellSize, latticeSize: latticeWidth) }
            for c in 0..<channels {
                let lattice = (0..<latticeWidth * latticeHeight).map { _ in 2 * generator.nextUnitFloat() - 1 }
                for (y, row) in rows.enumerated() {
                    for (x, column) in columns.enumerated() {
                        let a = column.weight
                        let top = (1 - a) * lattice[row.first * latticeWidth + column.first]
                            + a * lattice[row.first * latticeWidth + column.second]
                        let bottom = (1 - a) * lattice[row.second * latticeWidth + column.first]
                            + a * lattice[row.second * latticeWidth + column.second]
                        raster[c, y, x] += weight * ((1 - row.weight) * top + row.weight * bottom)
                    }
                }
            }
        }
        return raster
    }

    /// A tinted texture: `base_c + contrast · noise_c(x, y)` with `noise` from `smoothNoise`.
    public static func texture(height: Int, width: Int, base: RGB, contrast: Float, cellSizes: [Int], seed: UInt64) -> Raster {
        var raster = smoothNoise(channels: 3, height: height, width: width, cellSizes: cellSizes, seed: seed)
        let bases = base.components
        for c in 0..<3 {
            for index in c * height * width..<(c + 1) * height * width {
                raster.pixels[index] = bases[c] + contrast * raster.pixels[index]
            }
        }
        return raster
    }

    private static func wrap(_ index: Int, _ size: Int) -> Int {
        let remainder = index % size
        return remainder < 0 ? remainder + size : remainder
    }

    /// The two lattice nodes around pixel `position` (wrapping at `latticeSize`) and the
    /// smoothstep weight `3f² − 2f³` of the second, `f` the fractional lattice coordinate.
    private static func latticeStep(_ position: Int, cellSize: Int, latticeSize: Int) -> (first: Int, second: Int, weight: Float) {
        let coordinate = Float(position) / Float(cellSize)
        let node = Int(coordinate)
        let fraction = coordinate - Float(node)
        return (node % latticeSize, (node + 1) % latticeSize, fraction * fraction * (3 - 2 * fraction))
    }
}

/// Calls `body(x, y, dx, dy)` for every pixel of a `width × height` image whose centre lies in
/// the square of half-side `reach` around `centre`, with `(dx, dy)` the pixel centre relative to
/// `centre`.
func forEachPixel(width: Int, height: Int, near centre: SIMD2<Float>, reach: Float,
                  _ body: (Int, Int, Float, Float) -> Void) {
    let left = max(0, Int((centre.x - reach - 0.5).rounded(.down)))
    let right = min(width - 1, Int((centre.x + reach - 0.5).rounded(.up)))
    let top = max(0, Int((centre.y - reach - 0.5).rounded(.down)))
    let bottom = min(height - 1, Int((centre.y + reach - 0.5).rounded(.up)))
    guard left <= right, top <= bottom else { return }
    for y in top...bottom {
        let dy = Float(y) + 0.5 - centre.y
        for x in left...right {
            body(x, y, Float(x) + 0.5 - centre.x, dy)
        }
    }
}

/// A filled 2-D shape centred at the origin, described by its signed distance `d(p)` in pixels
/// (negative inside). Coverage of a pixel centred at `p` is the one-pixel linear ramp
/// `α = clamp(0.5 − d(p), 0, 1)`, so `α ≥ 0.5` exactly where `d ≤ 0` (the pixel centre is inside).
public struct Silhouette: Sendable, Equatable {
    /// The outline families.
    public enum Kind: String, Sendable, CaseIterable {
        /// Disc of radius `r`.
        case circle
        /// Square with circumradius `r` (half-side `r/√2`).
        case square
        /// Equilateral triangle with circumradius `r`.
        case triangle
        /// Five-pointed star: outer radius `r`, inner radius `0.45 r`.
        case star
        /// Annulus with outer radius `r` and inner radius `0.45 r`.
        case ring
    }

    /// The outline family.
    public let kind: Kind
    /// The circumradius in pixels: no point of the shape is farther than this from its centre.
    public let radius: Float
    /// Rotation in radians, turning the x axis towards the y axis (clockwise on screen, as y points down).
    public let rotation: Float
    private let vertices: [SIMD2<Float>]

    public init(_ kind: Kind, radius: Float, rotation: Float = 0) {
        self.kind = kind
        self.radius = radius
        self.rotation = rotation
        switch kind {
        case .circle, .ring:
            vertices = []
        case .square:
            vertices = Self.starVertices(points: 4, outer: radius, inner: nil, rotation: rotation + .pi / 4)
        case .triangle:
            vertices = Self.starVertices(points: 3, outer: radius, inner: nil, rotation: rotation - .pi / 2)
        case .star:
            vertices = Self.starVertices(points: 5, outer: radius, inner: 0.45 * radius, rotation: rotation - .pi / 2)
        }
    }

    /// Signed distance from the shape's outline to the point `(dx, dy)` relative to its centre,
    /// negative inside. Circle: `|p| − r`; ring: `||p| − 0.725 r| − 0.275 r`; polygons: the distance
    /// to the nearest edge, negated when the point is inside (even–odd rule).
    public func signedDistance(dx: Float, dy: Float) -> Float {
        let length = (dx * dx + dy * dy).squareRoot()
        switch kind {
        case .circle:
            return length - radius
        case .ring:
            return abs(length - 0.725 * radius) - 0.275 * radius
        case .square, .triangle, .star:
            return polygonDistance(SIMD2(dx, dy))
        }
    }

    /// Coverage `α = clamp(0.5 − d, 0, 1)` of the pixel centred at `(dx, dy)`.
    public func coverage(dx: Float, dy: Float) -> Float {
        min(1, max(0, 0.5 - signedDistance(dx: dx, dy: dy)))
    }

    /// Whether the pixel centred at `(dx, dy)` is at least half covered (`d ≤ 0`): the
    /// ground-truth mask rule.
    public func covers(dx: Float, dy: Float) -> Bool {
        signedDistance(dx: dx, dy: dy) <= 0
    }

    private func polygonDistance(_ point: SIMD2<Float>) -> Float {
        var nearest = Float.greatestFiniteMagnitude
        var inside = false
        var previous = vertices[vertices.count - 1]
        for vertex in vertices {
            let edge = vertex - previous
            let offset = point - previous
            let t = min(1, max(0, (offset * edge).sum() / (edge * edge).sum()))
            let gap = offset - t * edge
            nearest = min(nearest, (gap * gap).sum())
            if (vertex.y > point.y) != (previous.y > point.y) {
                let crossing = previous.x + (point.y - previous.y) / (vertex.y - previous.y) * edge.x
                if point.x < crossing { inside.toggle() }
            }
            previous = vertex
        }
        let distance = nearest.squareRoot()
        return inside ? -distance : distance
    }

    /// Vertices of a regular polygon (`inner == nil`) or a star alternating `outer` and `inner` radii.
    private static func starVertices(points: Int, outer: Float, inner: Float?, rotation: Float) -> [SIMD2<Float>] {
        let radii: [Float] = inner.map { [outer, $0] } ?? [outer]
        let count = points * radii.count
        return (0..<count).map { k in
            let angle = rotation + 2 * .pi * Float(k) / Float(count)
            let r = radii[k % radii.count]
            return SIMD2(r * cos(angle), r * sin(angle))
        }
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
