extension Graph {
    /// Runs the graph on its single input.
    public func forward(_ input: Tensor, options: ForwardOptions = ForwardOptions()) throws -> Trace {
        guard inputs.count == 1 else {
            throw STError.invalidRequest("graph has \(inputs.count) inputs; pass them by name")
        }
        return try forward([inputs[0].name: input], options: options)
    }

    /// Runs every node in topological order and returns the activations asked for.
    ///
    /// Shapes are checked node by node; a mismatch throws `STError.shape` naming the node.
    public func forward(_ feeds: [String: Tensor], options: ForwardOptions = ForwardOptions()) throws -> Trace {
        for (name, shape) in inputs {
            guard let value = feeds[name] else { throw STError.invalidRequest("missing input '\(name)'") }
            guard value.rank == shape.count, Array(value.shape.dropFirst()) == Array(shape.dropFirst()) else {
                throw STError.shape(node: name, reason: "expected input shape \(shape) (any batch), got \(value.shape)")
            }
        }
        let observed = try options.observe.map { Set(try $0.map { try resolve($0) }) }
        let plan = ExecutionPlan(graph: self, observed: observed, fuse: !options.training)
        var context = ForwardContext(training: options.training, seed: options.seed)

        var remainingUses: [String: Int] = [:]
        for step in plan.steps { for input in step.inputs { remainingUses[input, default: 0] += 1 } }
        var recorded = try options.gradientsFrom.map { Set(try $0.map { try resolve($0) }) }
        if var descendants = recorded {
            for step in plan.steps where step.inputs.contains(where: descendants.contains) { descendants.insert(step.name) }
            recorded = descendants
        }
        func isRecorded(_ name: String) -> Bool { options.differentiable && recorded.map { $0.contains(name) } ?? true }
        func isKept(_ name: String) -> Bool {
            isRecorded(name) || name == output || observed?.contains(name) ?? true
        }

        var values = feeds
        var records: [String: OpRecord] = [:]
        var updatedBuffers: [String: Tensor] = [:]
        for step in plan.steps {
            let stepInputs = step.inputs.map { values[$0]! }
            let stepState = try step.stateKeys.map { key in try updatedBuffers[key] ?? self.state(key) }
            let result: OpOutput
            do {
                _ = try step.op.outputShape(inputs: stepInputs.map(\.shape), parameters: stepState.map(\.shape))
                result = try step.op.forward(stepInputs, parameters: stepState, context: &context)
            } catch STError.shape(_, let reason) {
                throw STError.shape(node: step.name, reason: reason)
            }
            values[step.name] = result.value
            if let buffers = result.updatedBuffers {
                for (key, value) in zip(step.stateKeys.dropFirst(step.parameterCount), buffers) {
                    updatedBuffers[key] = value
                }
            }
            if isRecorded(step.name) {
                records[step.name] = OpRecord(inputs: stepInputs, parameters: stepState, output: result.value,
                                              saved: result.saved)
            }
            for input in step.inputs {
                remainingUses[input]! -= 1
                if remainingUses[input] == 0 && !isKept(input) { values[input] = nil }
            }
        }
        return Trace(graph: self, plan: plan, values: values, records: records, updatedBuffers: updatedBuffers)
    }
}
