/// Drawing on raster figures (the bitmap font's glyphs are filled rectangles); clips to the image.
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
}
