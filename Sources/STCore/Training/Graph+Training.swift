extension Graph {
    /// Stores the running statistics a training-mode forward pass computed (batch norm's
    /// `running_mean`/`running_var`, by state key) as the graph's buffers, as PyTorch does in
    /// place during `model.train()` forward passes. Call once per training step.
    public mutating func applyBufferUpdates(_ trace: Trace) {
        for (key, value) in trace.updatedBuffers {
            buffers[key] = value
        }
    }
}
