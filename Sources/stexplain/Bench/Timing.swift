import Foundation

/// Wall time of one call.
func wallSeconds(_ body: () throws -> Void) rethrows -> Double {
    let start = DispatchTime.now().uptimeNanoseconds
    try body()
    return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
}

/// The median of a non-empty list of times.
func median(_ seconds: [Double]) -> Double {
    seconds.sorted()[seconds.count / 2]
}

/// Median wall time of `runs` calls after one warm-up call.
func medianSeconds(runs: Int, _ body: () throws -> Void) throws -> Double {
    try body()
    return median(try (0..<runs).map { _ in try wallSeconds(body) })
}
