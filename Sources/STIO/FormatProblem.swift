/// A reason a file's bytes are malformed, turned into `STError.badInput` with the file name by
/// the reader that found it.
struct FormatProblem: Error {
    let reason: String

    init(_ reason: String) {
        self.reason = reason
    }
}
