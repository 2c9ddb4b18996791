import Testing
import STCore
import TestSupport
@testable import STRender

@Suite struct RGBImageTests {
    /// The coordinates of every pixel that is not `background`, row by row.
    func painted(_ image: RGBImage, background: RGBColour = .white) -> [[Int]] {
        (0..<image.height).flatMap { y in
            (0..<image.width).compactMap { x in image[x: x, y: y] == background ? nil : [x, y] }
        }
    }

    @Test func pixelsAreInterleavedRowMajor() throws {
        var image = RGBImage(width: 3, height: 2, colour: .black)
        image[x: 2, y: 1] = RGBColour(1, 2, 3)
        // Pixel (2, 1) starts at 3·(1·3 + 2) = 15.
        #expect(Array(image.pixels[15..<18]) == [1, 2, 3])
        expectError(.badInput, about: "RGBImage", mentioning: "3 bytes for a 2×2 RGB image") {
            try RGBImage(width: 2, height: 2, pixels: [0, 0, 0])
        }
    }

    @Test func rectanglesClipToTheImage() {
        // (−1, −1) with size 3×3 covers columns and rows −1…1, of which 0…1 are inside.
        var image = RGBImage(width: 4, height: 4)
        image.fillRectangle(x: -1, y: -1, width: 3, height: 3, colour: .black)
        #expect(painted(image) == [[0, 0], [1, 0], [0, 1], [1, 1]])
    }

    @Test func horizontalConcatenationPadsAndSpaces() {
        let red = RGBImage(width: 2, height: 1, colour: .red)
        let blue = RGBImage(width: 1, height: 2, colour: .blue)
        // Width 2 + 1 (spacing) + 1 = 4, height max(1, 2) = 2.
        let row = RGBImage.horizontallyConcatenated([red, blue], spacing: 1, padding: .black)
        #expect(row.width == 4 && row.height == 2)
        #expect(row[x: 1, y: 0] == .red)
        #expect(row[x: 0, y: 1] == .black)  // below the shorter red image
        #expect(row[x: 2, y: 0] == .black)  // the spacing column
        #expect(row[x: 3, y: 1] == .blue)
    }

    @Test func verticalConcatenationPadsAndSpaces() {
        let red = RGBImage(width: 2, height: 1, colour: .red)
        let blue = RGBImage(width: 1, height: 2, colour: .blue)
        // Width max(2, 1) = 2, height 1 + 2 (spacing) + 2 = 5.
        let column = RGBImage.verticallyConcatenated([red, blue], spacing: 2, padding: .black)
        #expect(column.width == 2 && column.height == 5)
        #expect(column[x: 1, y: 0] == .red)
        #expect(column[x: 0, y: 2] == .black)
        #expect(column[x: 0, y: 4] == .blue && column[x: 1, y: 4] == .black)
    }

    @Test func nearestNeighbourScalingRepeatsPixels() {
        var image = RGBImage(width: 2, height: 1)
        image[x: 0, y: 0] = .red
        image[x: 1, y: 0] = .blue
        let scaled = image.scaled(by: 2)
        #expect(scaled.width == 4 && scaled.height == 2)
        #expect(scaled[x: 1, y: 1] == .red && scaled[x: 2, y: 0] == .blue && scaled[x: 3, y: 1] == .blue)
    }

    @Test func blendingImagesMixesEveryPixel() throws {
        // Black over white at α = 0.5: 0.5·0 + 0.5·255 = 127.5 → 128.
        let mixed = try RGBImage(width: 2, height: 2, colour: .black)
            .blended(over: RGBImage(width: 2, height: 2, colour: .white), alpha: 0.5)
        #expect(mixed.pixels.allSatisfy { $0 == 128 })
        expectError(.shapeMismatch, about: "RGBImage.blended") {
            try RGBImage(width: 1, height: 1).blended(over: RGBImage(width: 2, height: 1), alpha: 0.5)
        }
    }
}
