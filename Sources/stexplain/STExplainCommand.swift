import ArgumentParser

@main
struct STExplainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stexplain",
        abstract: "Explain spatio-temporal deep networks.",
        subcommands: [BenchCommand.self])
}
