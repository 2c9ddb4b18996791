extension Tensor {
    /// PyTorch's default initialisation of convolution and linear layers: every element drawn
    /// from U(−1/√fan_in, 1/√fan_in), reproducible from `seed`.
    ///
    /// For weights this is `kaiming_uniform_(w, a=√5)`: gain √(2/(1 + a²)) = √(1/3) and bound
    /// gain·√(3/fan_in) = 1/√fan_in. Biases use the same bound with their layer's fan-in.
    /// `fanIn` defaults to the product of all but the first dimension (`C/groups × k…` for a
    /// convolution weight `O × C/groups × k…`, `in` for a linear weight `out × in`); pass it for biases.
    public static func kaimingUniform(shape: [Int], fanIn: Int? = nil, seed: UInt64) -> Tensor {
        let fanIn = fanIn ?? shape.dropFirst().reduce(1, *)
        precondition(fanIn > 0, "fan-in \(fanIn) for shape \(shape)")
        let bound = 1 / Float(fanIn).squareRoot()
        return randomUniform(shape: shape, in: -bound...bound, seed: seed)
    }
}
