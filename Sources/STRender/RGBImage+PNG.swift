import Foundation
import STIO

extension RGBImage {
    /// This image as a PNG file, encoded by ffmpeg (`PNGEncoding`).
    public func pngData() throws -> Data {
        try Self.pngData(of: [self])[0]
    }

    /// Images of one size as PNG files, in one ffmpeg run.
    public static func pngData(of images: [RGBImage]) throws -> [Data] {
        guard let first = images.first else { return [] }
        return try PNGEncoding.encode(images.map(\.pixels), width: first.width, height: first.height)
    }
}
