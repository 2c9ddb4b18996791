import Foundation
import STCore

/// PNG files encoded by ffmpeg (its `png` encoder, zlib-compressed), from 8-bit RGB frames:
/// one ffmpeg run for any number of frames of one size.
public enum PNGEncoding {
    /// Every frame (`3·width·height` bytes, RGB interleaved, row-major) as PNG data.
    /// - Throws: `STError.invalidRequest` for frames of other sizes; `STError.badInput` naming
    ///   `file` when ffmpeg is missing or fails.
    public static func encode(_ frames: [[UInt8]], width: Int, height: Int, file: String = "png",
                              tools: FFmpegTools = FFmpegTools()) throws -> [Data] {
        guard !frames.isEmpty else { return [] }
        guard width >= 1, height >= 1, frames.allSatisfy({ $0.count == 3 * width * height }) else {
            throw STError.invalidRequest("PNG frames must each hold 3 × \(width) × \(height) bytes")
        }
        let run = try tools.run(.ffmpeg, [
            "-v", "error", "-f", "rawvideo", "-pix_fmt", "rgb24", "-s", "\(width)x\(height)", "-i", "pipe:0",
            "-an", "-c:v", "png", "-f", "image2pipe", "pipe:1",
        ], input: frames, file: file)
        guard run.succeeded else { throw STError.badInput(file: file, reason: run.failureReason(.ffmpeg)) }
        let images = split(run.output)
        guard images.count == frames.count else {
            throw STError.badInput(file: file, reason: "ffmpeg wrote \(images.count) PNG images for \(frames.count) frames")
        }
        return images
    }

    /// Concatenated PNG files cut after each IEND chunk (its type and CRC are always the same 8 bytes).
    static func split(_ stream: Data) -> [Data] {
        let end: [UInt8] = [0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82]
        let bytes = [UInt8](stream)
        var images: [Data] = []
        var start = 0, index = 0
        while index + end.count <= bytes.count {
            if bytes[index] == end[0], Array(bytes[index..<(index + end.count)]) == end {
                images.append(Data(bytes[start..<(index + end.count)]))
                index += end.count
                start = index
            } else {
                index += 1
            }
        }
        return images
    }
}
