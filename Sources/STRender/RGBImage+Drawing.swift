/// Drawing primitives for overlays and charts. All of them clip to the image.
extension RGBImage {
    /// Fills the axis-aligned rectangle with top-left corner `(x, y)` and the given size.
    public mutating func fillRectangle(x: Int, y: Int, width rectangleWidth: Int, height rectangleHeight: Int,
                                       colour: RGBColour) {
        let left = max(x, 0)
        let right = min(x + rectangleWidth, width)
        let top = max(y, 0)
        let bottom = min(y + rectangleHeight, height)
        guard left < right, top < bottom else { return }
        for row in top..<bottom {
            for column in left..<right {
                self[x: column, y: row] = colour
            }
        }
    }

    /// Draws the one-pixel outline of the rectangle with top-left corner `(x, y)` and the given size.
    public mutating func strokeRectangle(x: Int, y: Int, width rectangleWidth: Int, height rectangleHeight: Int,
                                         colour: RGBColour) {
        guard rectangleWidth > 0, rectangleHeight > 0 else { return }
        fillRectangle(x: x, y: y, width: rectangleWidth, height: 1, colour: colour)
        fillRectangle(x: x, y: y + rectangleHeight - 1, width: rectangleWidth, height: 1, colour: colour)
        fillRectangle(x: x, y: y, width: 1, height: rectangleHeight, colour: colour)
        fillRectangle(x: x + rectangleWidth - 1, y: y, width: 1, height: rectangleHeight, colour: colour)
    }

    /// Draws the segment from `start` to `end` (pixel coordinates, both ends included) with
    /// Bresenham's algorithm. With `thickness` t > 1 every point of the path is stamped as a
    /// t × t square whose top-left pixel is the path point shifted by `−(t − 1)/2`.
    public mutating func drawLine(from start: (x: Int, y: Int), to end: (x: Int, y: Int), colour: RGBColour,
                                  thickness: Int = 1) {
        let offset = (thickness - 1) / 2
        let deltaX = abs(end.x - start.x)
        let deltaY = -abs(end.y - start.y)
        let stepX = start.x < end.x ? 1 : -1
        let stepY = start.y < end.y ? 1 : -1
        var error = deltaX + deltaY
        var x = start.x
        var y = start.y
        while true {
            if thickness <= 1 {
                setPixelIfInside(x: x, y: y, to: colour)
            } else {
                fillRectangle(x: x - offset, y: y - offset, width: thickness, height: thickness, colour: colour)
            }
            if x == end.x && y == end.y { break }
            let doubled = 2 * error
            if doubled >= deltaY {
                error += deltaY
                x += stepX
            }
            if doubled <= deltaX {
                error += deltaX
                y += stepY
            }
        }
    }

    /// Fills the disc of pixels whose centres lie within `radius` of `centre`'s pixel centre:
    /// `(x − cx)² + (y − cy)² ≤ r² + r` (the `+ r` rounds the rim like the midpoint circle).
    public mutating func fillCircle(centre: (x: Int, y: Int), radius: Int, colour: RGBColour) {
        guard radius >= 0 else { return }
        let limit = radius * radius + radius
        for dy in -radius...radius {
            for dx in -radius...radius where dx * dx + dy * dy <= limit {
                setPixelIfInside(x: centre.x + dx, y: centre.y + dy, to: colour)
            }
        }
    }
}
