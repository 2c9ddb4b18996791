import Testing
import TestSupport
@testable import STCore

/// Runs one op as a one-node graph, and checks its backward pass against finite differences of
/// L = Σ w ⊙ op(inputs) for a fixed random w.
struct OpHarness {
    let op: any Op
    var inputs: [Tensor]
    var parameters: [String: Tensor] = [:]
    var buffers: [String: Tensor] = [:]
    var training = false

    init(_ op: any Op, inputs: [Tensor], parameters: [String: Tensor] = [:], buffers: [String: Tensor] = [:],
         training: Bool = false) {
        self.op = op
        self.inputs = inputs
        self.parameters = parameters
        self.buffers = buffers
        self.training = training
    }

    var inputNames: [String] { inputs.indices.map { "x\($0)" } }

    func graph(inputs: [Tensor]? = nil, parameters: [String: Tensor]? = nil) throws -> Graph {
        let inputs = inputs ?? self.inputs
        var builder = GraphBuilder(inputs: zip(inputNames, inputs).map { ($0, $1.shape) })
        let node = try builder.add("op", op, inputs: inputNames, parameters: parameters ?? self.parameters,
                                   buffers: buffers)
        return try builder.build(output: node)
    }

    func forward(inputs: [Tensor]? = nil, parameters: [String: Tensor]? = nil) throws -> Tensor {
        let inputs = inputs ?? self.inputs
        let feeds = Dictionary(uniqueKeysWithValues: zip(inputNames, inputs))
        return try graph(inputs: inputs, parameters: parameters)
            .forward(feeds, options: ForwardOptions(training: training)).output
    }

    /// Compares analytic gradients with central differences for every input and parameter.
    func checkGradients(epsilon: Float = 1e-2, tolerance: Float = 1e-2, reluMode: ReLUBackward = .exact,
                        sourceLocation: SourceLocation = #_sourceLocation) throws {
        let output = try forward()
        let weights = Tensor.randomNormal(shape: output.shape, seed: 99)
        func loss(_ y: Tensor) -> Float {
            zip(y.scalars, weights.scalars).reduce(0) { $0 + $1.0 * $1.1 }
        }
        let feeds = Dictionary(uniqueKeysWithValues: zip(inputNames, inputs))
        let trace = try graph().forward(feeds, options: ForwardOptions(training: training))
        let inputGradients = try trace.gradient(of: .weighted(by: weights), at: inputNames, reluMode: reluMode)
        for (index, name) in inputNames.enumerated() {
            let numeric = try FiniteDifference.gradient(of: { x in
                var perturbed = inputs
                perturbed[index] = x
                return loss(try forward(inputs: perturbed))
            }, at: inputs[index], epsilon: epsilon)
            expectClose(inputGradients[name]!.plain(), numeric, .normwise(tolerance),
                        sourceLocation: sourceLocation)
        }
        guard !parameters.isEmpty else { return }
        let trainingTrace = try graph().forward(feeds, options: ForwardOptions(training: true))
        let parameterGradients = try trainingTrace.parameterGradients(of: .weighted(by: weights))
        for (role, value) in parameters {
            let numeric = try FiniteDifference.gradient(of: { p in
                var perturbed = parameters
                perturbed[role] = p
                let feeds = Dictionary(uniqueKeysWithValues: zip(inputNames, inputs))
                return loss(try graph(parameters: perturbed).forward(feeds, options: ForwardOptions(training: true)).output)
            }, at: value, epsilon: epsilon)
            guard let analytic = parameterGradients["op.\(role)"] else {
                Issue.record("no gradient for parameter \(role)", sourceLocation: sourceLocation)
                continue
            }
            expectClose(analytic.plain(), numeric, .normwise(tolerance), sourceLocation: sourceLocation)
        }
    }
}
