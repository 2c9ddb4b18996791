import ArgumentParser
import STExplain
import STIO
import STMetrics

// Values the commands take, parsed by swift-argument-parser: a bad value is refused before the
// command runs, with the valid ones listed (exit 2).

extension Method: ExpressibleByArgument {}
extension PathIntegration: ExpressibleByArgument {}
extension HeadFusion: ExpressibleByArgument {}
extension BaselinePreset: ExpressibleByArgument {}
extension PerturbationUnit: ExpressibleByArgument {}
extension ParameterRandomisation.Mode: ExpressibleByArgument {}

extension LRPCompositeEntry: ExpressibleByArgument {
    public init?(argument: String) {
        guard let entry = try? LRPComposite.entry(named: argument) else { return nil }
        self = entry
    }

    public static var allValueStrings: [String] { LRPComposite.names }
    public var defaultValueDescription: String { name }
}

/// Video preprocessing by name (`--preset`).
enum VideoPreset: String, CaseIterable, ExpressibleByArgument {
    /// 128×171 → 112 centre crop, Kinetics mean/std (torchvision's video ResNets).
    case kinetics
    /// 128×171 → 112, BGR mean subtraction (C3D).
    case c3d
    /// RGB in [0, 1], no resizing.
    case none

    var preprocessing: VideoPreprocessing {
        switch self {
        case .kinetics: .kinetics
        case .c3d: .c3d
        case .none: .none
        }
    }
}

/// A comma-separated list of distinct values, in the order given (`--method gradcam,lrp`).
struct CommaList<Element: ExpressibleByArgument & Equatable>: ExpressibleByArgument {
    var elements: [Element]

    init(_ elements: [Element]) {
        self.elements = elements
    }

    init?(argument: String) {
        var elements: [Element] = []
        for part in argument.split(separator: ",") {
            let name = part.trimmingCharacters(in: .whitespaces)
            guard !name.isEmpty else { continue }
            guard let element = Element(argument: name) else { return nil }
            if !elements.contains(element) { elements.append(element) }
        }
        guard !elements.isEmpty else { return nil }
        self.elements = elements
    }

    static var allValueStrings: [String] { Element.allValueStrings }
    var defaultValueDescription: String { elements.map(\.defaultValueDescription).joined(separator: ",") }
}

extension Shard: ExpressibleByArgument {
    init?(argument: String) {
        guard let shard = try? Shard(argument) else { return nil }
        self = shard
    }

    var defaultValueDescription: String { "\(index)/\(count)" }
}

extension Metric: ExpressibleByArgument {}

/// `--metrics`: `all`, or metric names separated by commas.
struct MetricSelection: ExpressibleByArgument {
    var metrics: [Metric]

    static let all = MetricSelection(metrics: Metric.allCases)

    init(metrics: [Metric]) {
        self.metrics = metrics
    }

    init?(argument: String) {
        if argument == "all" {
            self = .all
        } else {
            guard let list = CommaList<Metric>(argument: argument) else { return nil }
            metrics = list.elements
        }
    }

    static var allValueStrings: [String] { ["all"] + Metric.allCases.map(\.rawValue) }
    var defaultValueDescription: String { metrics == Metric.allCases ? "all" : metrics.map(\.rawValue).joined(separator: ",") }
}

extension SkeletonArray.Layout: ExpressibleByArgument {
    public init?(argument: String) {
        self.init(rawValue: argument.uppercased())
    }

    public static var allValueStrings: [String] { allCases.map { $0.rawValue.lowercased() } }
    public var defaultValueDescription: String { rawValue.lowercased() }
}
