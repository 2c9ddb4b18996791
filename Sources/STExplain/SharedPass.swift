import Foundation
import STCore

/// One forward pass over a batch, kept differentiable, with the target fixed on it and every
/// reverse pass taken from it remembered. Methods whose whole cost is a forward pass and a
/// reverse pass or two (the CAM family, the input-gradient methods, guided Grad-CAM) read
/// from one `SharedPass` when several of them explain the same input: Grad-CAM, Grad-CAM++,
/// XGrad-CAM, LayerCAM and HiResCAM at one layer then cost one forward pass and one reverse
/// pass down to that layer in all.
final class SharedPass {
    let input: Tensor
    let model: ExplainedModel
    let trace: Trace
    let target: ResolvedTarget
    /// Wall-clock time of the forward pass and the target's resolution.
    let forwardSeconds: Double
    private var gradients: [String: Tensor] = [:]

    /// Runs the forward pass keeping `layers`; with `gradientsFrom`, reverse passes may only
    /// stop there (nil: anywhere down to the input).
    init(_ input: Tensor, model: ExplainedModel, observing layers: [String], gradientsFrom: [String]?,
         target: Target) throws {
        let started = Date()
        self.input = input
        self.model = model
        trace = try model.forward(input, observing: layers, gradientsFrom: gradientsFrom)
        self.target = try target.resolve(in: trace, model: model)
        forwardSeconds = Date().timeIntervalSince(started)
    }

    /// The start time a method reading this pass reports from: now, less the forward pass, so
    /// each explanation's `seconds` counts the forward pass once.
    func methodStart() -> Date { Date(timeIntervalSinceNow: -forwardSeconds) }

    /// ∂target/∂`node` for every sample, with ReLUs passing gradients back as `reluMode` says;
    /// computed once per node and mode.
    func gradient(at node: String, reluMode: ReLUBackward = .exact) throws -> Tensor {
        let key = "\(node)\u{0}\(reluMode)"
        if let known = gradients[key] { return known }
        let objective = try target.objective(Array(0..<input.shape[0]))
        let gradient = try trace.gradient(of: objective, at: [node], reluMode: reluMode)[node]!
        gradients[key] = gradient
        return gradient
    }
}

/// An explainer that can read a `SharedPass` instead of running its own forward pass.
protocol SharedPassExplainer: Explainer {
    /// The layers the forward pass has to keep for this method.
    func observedLayers(model: ExplainedModel) throws -> [String]
    /// Where this method's reverse passes stop: its layers for the CAM family, nil for methods
    /// that need gradients down to the input.
    func gradientLayers(model: ExplainedModel) throws -> [String]?
    /// Explains the pass's input from the pass.
    func explain(_ pass: SharedPass) throws -> Explanation
}

extension SharedPassExplainer {
    public func explain(_ input: Tensor, model: ExplainedModel, target: Target) throws -> Explanation {
        let pass = try SharedPass(input, model: model, observing: try observedLayers(model: model),
                                  gradientsFrom: try gradientLayers(model: model), target: target)
        return try explain(pass)
    }
}
