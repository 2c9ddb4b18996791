extension Trace {
    /// ∂objective/∂(activation) at each requested node (or graph input).
    ///
    /// The reverse pass visits only nodes that lie between the requested ones and the objective's
    /// node, so a gradient at the last block costs one small backward step, not a full pass.
    /// `reluMode` switches ReLU's backward to guided backpropagation or deconvnet.
    public func gradient(of objective: Objective, at targets: [String],
                         reluMode: ReLUBackward = .exact) throws -> [String: Tensor] {
        let node = try graph.resolve(objective.node ?? graph.output)
        let seed = try objective.seed(try activation(node))
        return try gradient(seed: seed, at: node, wrt: targets, reluMode: reluMode)
    }

    /// Reverse pass from an explicit seed ∂L/∂(node's output).
    public func gradient(seed: Tensor, at node: String, wrt targets: [String],
                         reluMode: ReLUBackward = .exact) throws -> [String: Tensor] {
        let resolvedTargets = try targets.map { name -> String in
            let resolved = try graph.resolve(name)
            guard records[resolved] != nil || isGraphInput(resolved) else {
                _ = try activation(name)
                throw STError.invalidRequest("no gradient at '\(name)': the forward pass was not differentiable")
            }
            return resolved
        }
        let result = try reverse(seed: seed, from: try graph.resolve(node), targets: Set(resolvedTargets),
                                 context: BackwardContext(reluMode: reluMode))
        var gradients: [String: Tensor] = [:]
        for (name, resolved) in zip(targets, resolvedTargets) {
            if let gradient = result.activations[resolved] {
                gradients[name] = gradient
            } else {
                gradients[name] = Tensor(zeros: try activation(resolved).shape)
            }
        }
        return gradients
    }

    /// ∂objective/∂θ for every trained parameter the objective depends on, by state key.
    public func parameterGradients(of objective: Objective) throws -> [String: Tensor] {
        let node = try graph.resolve(objective.node ?? graph.output)
        let seed = try objective.seed(try activation(node))
        let context = BackwardContext(parameterGradients: true)
        return try reverse(seed: seed, from: node, targets: nil, context: context).parameters
    }

    private func isGraphInput(_ name: String) -> Bool {
        graph.inputs.contains { $0.name == name }
    }

    /// Walks the plan backwards from `start`. With `targets`, only steps that are descendants of
    /// a target are visited and gradients stop at the targets; with nil, every step is visited.
    private func reverse(seed: Tensor, from start: String, targets: Set<String>?,
                         context: BackwardContext) throws -> (activations: [String: Tensor], parameters: [String: Tensor]) {
        guard records[start] != nil else {
            throw STError.invalidRequest("no gradient from '\(start)': the forward pass was not differentiable")
        }
        var downstream = targets ?? []
        if targets != nil {
            for step in plan.steps where step.inputs.contains(where: downstream.contains) {
                downstream.insert(step.name)
            }
        }
        func wanted(_ name: String) -> Bool { targets == nil || downstream.contains(name) }

        var gradients: [String: Tensor] = [start: seed]
        var parameterGradients: [String: Tensor] = [:]
        for step in plan.steps.reversed() {
            guard wanted(step.name), let gradOutput = gradients[step.name], let record = records[step.name] else {
                continue
            }
            let needInputs = step.inputs.map { input in
                targets == nil ? records[input] != nil || isGraphInput(input) : wanted(input)
            }
            if !needInputs.contains(true) && !context.parameterGradients { continue }
            let result = try step.op.backward(gradOutput, record: record, needInputs: needInputs, context: context)
            for (input, gradient) in zip(step.inputs, result.inputs) {
                guard let gradient else { continue }
                gradients[input] = try gradients[input].map { try DNNL.binary($0, gradient, .add) } ?? gradient
            }
            if context.parameterGradients {
                for (key, gradient) in zip(step.stateKeys.prefix(step.parameterCount), result.parameters) {
                    guard let gradient else { continue }
                    parameterGradients[key] = try parameterGradients[key].map { try DNNL.binary($0, gradient, .add) } ?? gradient
                }
            }
        }
        return (gradients, parameterGradients)
    }
}
