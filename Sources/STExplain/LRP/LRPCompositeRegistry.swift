import STCore

/// A composite `--composite` can name: its name and how to make it. The composites with a zβ
/// first layer need the input box (low, high per channel).
public struct LRPCompositeEntry: Sendable {
    public let name: String
    /// Whether `make` needs the input's bounds.
    public let needsBounds: Bool
    let make: @Sendable ((low: [Float], high: [Float])) -> LRPComposite

    init(_ name: String, needsBounds: Bool = false, make: @escaping @Sendable ((low: [Float], high: [Float])) -> LRPComposite) {
        self.name = name
        self.needsBounds = needsBounds
        self.make = make
    }

    init(_ name: String, _ composite: LRPComposite) {
        self.init(name) { _ in composite }
    }
}

extension LRPComposite {
    /// The composites and single rules by the names `--composite` takes, in the order help lists them.
    public static let registry: [LRPCompositeEntry] = [
        LRPCompositeEntry("epsilon-plus", .epsilonPlus),
        LRPCompositeEntry("epsilon-alpha2-beta1", .epsilonAlpha2Beta1),
        LRPCompositeEntry("deep-taylor", needsBounds: true) { deepTaylor(low: $0.low, high: $0.high) },
        LRPCompositeEntry("epsilon-gamma-box", needsBounds: true) { epsilonGammaBox(low: $0.low, high: $0.high) },
        LRPCompositeEntry("epsilon", .uniform(EpsilonRule())),
        LRPCompositeEntry("attnlrp", .attnLRP),
        LRPCompositeEntry("zplus", .uniform(ZPlusRule())),
        LRPCompositeEntry("alpha1beta0", .uniform(AlphaBetaRule(alpha: 1, beta: 0))),
        LRPCompositeEntry("alpha2beta1", .uniform(AlphaBetaRule(alpha: 2, beta: 1))),
        LRPCompositeEntry("gamma", .uniform(GammaRule())),
        LRPCompositeEntry("flat", .uniform(FlatRule())),
        LRPCompositeEntry("wsquare", .uniform(WSquareRule())),
    ]

    /// The names of `registry`.
    public static var names: [String] { registry.map(\.name) }

    /// The registry's entry called `name`, or an error listing the names.
    public static func entry(named name: String) throws -> LRPCompositeEntry {
        guard let entry = registry.first(where: { $0.name == name }) else {
            throw STError.invalidRequest("unknown composite '\(name)'; composites: " + names.joined(separator: ", "))
        }
        return entry
    }

    /// The composite called `name`; those with a zβ first layer need the input box `bounds` (per
    /// channel), which is evaluated only for them.
    public static func named(_ name: String,
                             bounds: @autoclosure () throws -> (low: [Float], high: [Float])? = nil) throws -> LRPComposite {
        let entry = try entry(named: name)
        guard entry.needsBounds else { return entry.make(([], [])) }
        guard let bounds = try bounds() else { throw STError.invalidRequest("the \(name) composite needs the input's bounds") }
        return entry.make(bounds)
    }
}
