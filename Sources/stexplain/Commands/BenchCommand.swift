import ArgumentParser
import Foundation

/// `stexplain bench …`: speed measurements stated as ratios measured in the same run.
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure speed against the bare oneDNN kernels (and, later, the PyTorch peers).",
        subcommands: [EngineBenchCommand.self])
}

struct EngineBenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "engine",
        abstract: "Time an r3d_18-shaped network: forward, and forward + gradient to the input.",
        discussion: """
            Compares the engine with the sum of the bare oneDNN convolution primitives of the same \
            network, measured in the same run. Threads: STEXPLAIN_THREADS (default: all cores).

            Example: stexplain bench engine --runs 5 --json
            """)

    @Option(help: "Timed runs per measurement (the median is reported).")
    var runs = 3

    @Option(help: "Input clip shape N,C,T,H,W.")
    var input = "1,3,16,112,112"

    @Flag(help: "Print JSON instead of a table.")
    var json = false

    func validate() throws {
        guard runs >= 1 else { throw ValidationError("--runs must be at least 1") }
        guard inputShape?.count == 5 else { throw ValidationError("--input must be five positive integers N,C,T,H,W") }
    }

    private var inputShape: [Int]? {
        let values = input.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
        return values.count == 5 && values.allSatisfy { $0 > 0 } ? values : nil
    }

    func run() throws {
        let result = try EngineBenchmark(runs: runs, inputShape: inputShape!).run()
        if json {
            try JSONOutput.print(result)
        } else {
            print(result.table)
        }
    }
}
