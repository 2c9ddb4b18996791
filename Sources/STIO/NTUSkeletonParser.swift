/// Reads the frames of a `.skeleton` text from a `LineScanner`; every problem is a `FormatProblem`
/// whose reason starts with the 1-based line number (see `NTUSkeleton.parse(_:file:)` for the list).
struct NTUSkeletonParser {
    /// Values on a body line: bodyID and nine more.
    static let bodyValueCount = 10
    /// Values on a joint line: x, y, z and nine more.
    static let jointValueCount = 12

    var lines: LineScanner

    /// The whole sequence; the text must end after the last frame (blank lines aside).
    mutating func parse() throws -> NTUSkeleton {
        guard let header = lines.nextLine() else { throw FormatProblem("empty file") }
        let frameCount = try Self.count(header, named: "frame count")
        guard frameCount >= 0 else { throw Self.problem(header, "frame count \(frameCount) is negative") }
        var frames: [[NTUSkeleton.Body]] = []
        for frame in stride(from: 1, through: frameCount, by: 1) {
            guard let bodyCountLine = lines.nextLine() else {
                throw FormatProblem("line \(lines.nextLineNumber): file ends before frame \(frame) of \(frameCount)")
            }
            frames.append(try bodies(counted: bodyCountLine, frame: frame, of: frameCount))
        }
        guard lines.isAtEnd else {
            throw FormatProblem("line \(lines.nextLineNumber): unexpected content after the last frame (line 1 "
                                + "announces \(frameCount) frame\(frameCount == 1 ? "" : "s"))")
        }
        return NTUSkeleton(frames: frames)
    }

    /// The bodies of frame `frame`, whose body-count line is `countLine`.
    private mutating func bodies(counted countLine: LineScanner.Line, frame: Int,
                                 of frameCount: Int) throws -> [NTUSkeleton.Body] {
        let bodyCount = try Self.count(countLine, named: "body count of frame \(frame)")
        guard bodyCount >= 0 else { throw Self.problem(countLine, "body count \(bodyCount) of frame \(frame) is negative") }
        guard bodyCount <= NTUSkeleton.maximumBodiesPerFrame else {
            throw Self.problem(countLine, "body count \(bodyCount) of frame \(frame) exceeds "
                               + "\(NTUSkeleton.maximumBodiesPerFrame), the most bodies a Kinect v2 tracks")
        }
        var bodies: [NTUSkeleton.Body] = []
        for body in stride(from: 1, through: bodyCount, by: 1) {
            let place = "body \(body) of frame \(frame)"
            let info = try line(inside: frame, of: frameCount)
            guard info.tokens.count == Self.bodyValueCount else {
                throw Self.problem(info, "expected \(Self.bodyValueCount) values for \(place), got \(info.tokens.count)")
            }
            let id = LineScanner.text(info.tokens[0])
            guard info.tokens[0].allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }) else {
                throw Self.problem(info, "body ID '\(id)' is not an unsigned integer")
            }
            guard !bodies.contains(where: { $0.id == id }) else {
                throw Self.problem(info, "body ID \(id) appears twice in frame \(frame)")
            }
            for token in info.tokens.dropFirst() { _ = try Self.number(token, on: info) }
            let jointCountLine = try line(inside: frame, of: frameCount)
            let jointCount = try Self.count(jointCountLine, named: "joint count of \(place)")
            guard jointCount == NTUSkeleton.jointCount else {
                throw Self.problem(jointCountLine, "expected \(NTUSkeleton.jointCount) joints, got \(jointCount)")
            }
            var joints: [SIMD3<Float>] = []
            joints.reserveCapacity(jointCount)
            for joint in 1...jointCount {
                let values = try line(inside: frame, of: frameCount)
                guard values.tokens.count == Self.jointValueCount else {
                    throw Self.problem(values, "expected \(Self.jointValueCount) values for joint \(joint) of \(place), "
                                       + "got \(values.tokens.count)")
                }
                let position = try values.tokens.prefix(3).map { try Self.coordinate($0, on: values) }
                for token in values.tokens.dropFirst(3) { _ = try Self.number(token, on: values) }
                joints.append(SIMD3(position[0], position[1], position[2]))
            }
            bodies.append(NTUSkeleton.Body(id: id, joints: joints))
        }
        return bodies
    }

    /// The next line, which frame `frame` still needs.
    private mutating func line(inside frame: Int, of frameCount: Int) throws -> LineScanner.Line {
        guard let line = lines.nextLine() else {
            throw FormatProblem("line \(lines.nextLineNumber): file ends inside frame \(frame) of \(frameCount)")
        }
        return line
    }

    // MARK: - Values

    /// The one whole number a count line holds.
    private static func count(_ line: LineScanner.Line, named name: String) throws -> Int {
        guard line.tokens.count == 1 else {
            throw problem(line, line.tokens.isEmpty ? "expected the \(name), found an empty line"
                                                    : "expected one value, the \(name), got \(line.tokens.count)")
        }
        let text = LineScanner.text(line.tokens[0])
        guard let value = Int(text) else {
            _ = try number(line.tokens[0], on: line)
            let digits = text.drop { $0 == "-" || $0 == "+" }
            let tooLarge = !digits.isEmpty && digits.allSatisfy { ("0"..."9").contains($0) }
            throw problem(line, "the \(name) '\(text)' is \(tooLarge ? "too large" : "not a whole number")")
        }
        return value
    }

    /// A numeric value in integer, decimal or exponent notation.
    private static func number(_ token: ArraySlice<UInt8>, on line: LineScanner.Line) throws -> Float {
        let text = LineScanner.text(token)
        guard let value = Float(text) else { throw problem(line, "'\(text)' is not a number") }
        return value
    }

    /// A joint coordinate: a finite number.
    private static func coordinate(_ token: ArraySlice<UInt8>, on line: LineScanner.Line) throws -> Float {
        let value = try number(token, on: line)
        guard value.isFinite else { throw problem(line, "coordinate '\(LineScanner.text(token))' is not finite") }
        return value
    }

    /// A problem on `line`.
    private static func problem(_ line: LineScanner.Line, _ reason: String) -> FormatProblem {
        FormatProblem("line \(line.number): \(reason)")
    }
}
