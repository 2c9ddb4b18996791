import CPNG
import Foundation
import STCore

extension RGBImage {
    /// This image as a PNG file (8-bit RGB, not interlaced), encoded in process by libpng with its
    /// default filters and zlib level.
    ///
    /// - Throws: `STError.badInput(file: "png", reason:)` with libpng's reason when it refuses the
    ///   image (a width or height of 0 or above its limit of 1,000,000 pixels).
    public func pngData() throws -> Data {
        var file = Data()
        let capacity = 256
        var message = [CChar](repeating: 0, count: capacity)
        let status = pixels.withUnsafeBufferPointer { pixels in
            withUnsafeMutablePointer(to: &file) { sink in
                stexplain_png_encode_rgb(pixels.baseAddress, png_uint_32(clamping: width), png_uint_32(clamping: height),
                                         appendToData, sink, &message, capacity)
            }
        }
        guard status == 0 else {
            let reason = String(decoding: message.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            throw STError.badInput(file: "png", reason: "libpng cannot encode a \(width)×\(height) image: \(reason)")
        }
        return file
    }
}

/// libpng's write callback: appends the bytes to the `Data` its io pointer points at.
private func appendToData(_ png: png_structp?, _ bytes: png_bytep?, _ count: Int) {
    guard let sink = png_get_io_ptr(png), let bytes else { return }
    sink.assumingMemoryBound(to: Data.self).pointee.append(bytes, count: count)
}
