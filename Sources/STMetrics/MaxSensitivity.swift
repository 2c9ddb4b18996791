import STCore

/// Max-sensitivity (Yeh et al. 2019, "On the (in)fidelity and sensitivity of explanations"):
/// how much an explanation can change under small input perturbations,
///
///     SENS_MAX = max_{‖δ‖∞ ≤ r} ‖Φ(x + δ) − Φ(x)‖₂ / ‖Φ(x)‖₂,
///
/// estimated, as Quantus does, by the maximum over `samples` draws of δ with every element
/// uniform in [−r, r). The ratio to ‖Φ(x)‖₂ (Quantus's default normalisation) makes the value
/// independent of the map's scale; when Φ(x) = 0 the change ‖Φ(x + δ)‖₂ itself is reported. Norms
/// are per sample, over all elements of its explanation. Lower is more robust.
public enum MaxSensitivity {
    /// Per sample of `input` (N, …), the max-sensitivity of `explanation`, which maps a batch to
    /// a batch of explanations (N, …) and is called once for x and once per draw. The draws are
    /// fixed by `seed`.
    /// - Throws: what `explanation` throws; `STError.invalidRequest` for a negative or non-finite
    ///   radius, fewer than one draw, or explanations whose shape changes or lacks the N samples.
    public static func sensitivity(of explanation: (Tensor) throws -> Tensor, at input: Tensor, radius: Float,
                                   samples: Int, seed: UInt64 = 0) throws -> [Double] {
        guard radius >= 0, radius.isFinite, samples >= 1, input.rank >= 1, input.count > 0 else {
            throw STError.invalidRequest("max-sensitivity needs a radius ≥ 0, at least one draw and an input (N, …); "
                                         + "got radius \(radius), \(samples) draws, input \(input.shape)")
        }
        let reference = try explanation(input).plain()
        guard reference.rank >= 1, reference.shape[0] == input.shape[0] else {
            throw STError.invalidRequest("max-sensitivity needs one explanation per sample of input \(input.shape); "
                                         + "got \(reference.shape)")
        }
        let referenceValues = reference.scalars
        let referenceNorms = norms(referenceValues, samples: input.shape[0])
        let values = input.plain().scalars
        var generator = SeededGenerator(seed: seed)
        var sensitivities = [Double](repeating: 0, count: input.shape[0])
        for _ in 0..<samples {
            let noisy = Tensor(shape: input.shape, scalars: values.map { $0 + radius * (2 * generator.nextUnitFloat() - 1) })
            let perturbed = try explanation(noisy).plain()
            guard perturbed.shape == reference.shape else {
                throw STError.invalidRequest("max-sensitivity: the explanation of a perturbed input has shape "
                                             + "\(perturbed.shape), that of the input \(reference.shape)")
            }
            let changes = norms(zip(perturbed.scalars, referenceValues).map { $0 - $1 }, samples: input.shape[0])
            for n in sensitivities.indices {
                let change = referenceNorms[n] > 0 ? changes[n] / referenceNorms[n] : changes[n]
                sensitivities[n] = max(sensitivities[n], change)
            }
        }
        return sensitivities
    }

    /// The L2 norm of each of `samples` equal consecutive parts of `values`, accumulated in Double.
    private static func norms(_ values: [Float], samples: Int) -> [Double] {
        let size = values.count / samples
        return (0..<samples).map { n in
            values[(n * size)..<((n + 1) * size)].reduce(0.0) { $0 + Double($1) * Double($1) }.squareRoot()
        }
    }
}
