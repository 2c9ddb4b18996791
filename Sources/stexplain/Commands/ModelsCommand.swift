import ArgumentParser
import Foundation
import STCore
import STModels

/// `stexplain models`: the built-in architectures with their size, cost and default layer.
struct ModelsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "models",
        abstract: "List the built-in architectures: parameters, multiply-adds for the default input, default layer.",
        discussion: "Example: stexplain models --json")

    @Flag(help: "Print JSON instead of a table.")
    var json = false

    struct Row: Codable {
        var name: String
        var parameters: Int
        var gigaMultiplyAdds: Double
        var inputShape: [Int]
        var defaultLayer: String

        enum CodingKeys: String, CodingKey {
            case name, parameters
            case gigaMultiplyAdds = "giga_multiply_adds"
            case inputShape = "input_shape"
            case defaultLayer = "default_layer"
        }
    }

    func run() throws {
        var rows: [Row] = []
        for name in ModelSpec.architectures {
            let architecture = try ModelSpec.published(name).makeArchitecture()
            let graph = try architecture.graph(seed: 0)
            let macs = try graph.multiplyAdds([graph.inputs[0].name: architecture.inputShape])
            rows.append(Row(name: name, parameters: graph.parameterCount, gigaMultiplyAdds: Double(macs) / 1e9,
                            inputShape: architecture.inputShape, defaultLayer: architecture.defaultLayer))
        }
        if json {
            try JSONOutput.print(rows)
            return
        }
        let header = ["model", "parameters", "GMACs", "input", "default layer"]
        let cells = rows.map { row in
            [row.name, row.parameters.formatted(), String(format: "%.2f", row.gigaMultiplyAdds),
             row.inputShape.map(String.init).joined(separator: "×"), row.defaultLayer]
        }
        print(TextTable(header: header, rows: cells).rendered)
    }
}
