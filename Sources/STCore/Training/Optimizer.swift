/// A first-order optimiser: turns parameter gradients into in-place updates of `graph.parameters`.
///
/// `gradients` is keyed by state key (as `Trace.parameterGradients(of:)` returns them); only the
/// parameters named there are updated, the others are left alone. Optimisers keep their per-key
/// state (momentum, moment estimates) between steps, so use one value for one training run.
///
/// ```swift
/// var optimizer = Adam(learningRate: 1e-2)
/// let trace = try graph.forward(images, options: ForwardOptions(training: true))
/// let gradients = try trace.parameterGradients(of: .crossEntropy(labels: labels))
/// graph.applyBufferUpdates(trace)
/// optimizer.step(&graph, gradients: gradients)
/// ```
///
/// Every key in `gradients` must name a parameter of `graph` with the gradient's shape; anything
/// else is a programming error and stops with a precondition failure.
public protocol Optimizer {
    /// The step size η; a schedule may change it between steps.
    var learningRate: Float { get set }

    /// Applies one update to every parameter that has a gradient.
    mutating func step(_ graph: inout Graph, gradients: [String: Tensor])
}

extension Optimizer {
    /// Calls `update(key, θ, g)` with the parameter's and the gradient's elements (row-major,
    /// equal counts) for each key in `gradients`, in a fixed (sorted) order.
    static func forEachParameter(
        of graph: inout Graph, gradients: [String: Tensor],
        _ update: (String, inout UnsafeMutableBufferPointer<Float>, UnsafeBufferPointer<Float>) -> Void
    ) {
        for key in gradients.keys.sorted() {
            let gradient = gradients[key]!
            guard var parameter = graph.parameters[key] else {
                preconditionFailure("gradient for '\(key)', which is not a parameter of the graph")
            }
            precondition(parameter.shape == gradient.shape,
                         "gradient \(gradient.shape) for parameter '\(key)' of shape \(parameter.shape)")
            // Drop the graph's reference so the parameter's storage is updated in place.
            graph.parameters[key] = nil
            gradient.withUnsafeBufferPointer { g in
                parameter.withUnsafeMutableBufferPointer { theta in update(key, &theta, g) }
            }
            graph.parameters[key] = parameter
        }
    }
}
