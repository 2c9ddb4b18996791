import Foundation

/// Median wall time of `runs` calls after one warm-up call.
func medianSeconds(runs: Int, _ body: () throws -> Void) throws -> Double {
    try body()
    var seconds: [Double] = []
    for _ in 0..<runs {
        let start = DispatchTime.now().uptimeNanoseconds
        try body()
        seconds.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
    }
    return seconds.sorted()[seconds.count / 2]
}
