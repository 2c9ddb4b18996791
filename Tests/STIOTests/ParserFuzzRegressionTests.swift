import Foundation
import Testing
import STCore
@testable import STIO

/// Inputs that made a parser crash or hang under `make fuzz` (Fuzz/, scripts/fuzz.sh) or in the
/// probes written while setting it up, kept once fixed. Inputs that must be rejected belong in the
/// bad-input corpus instead (scripts/make-bad-inputs.sh); these ones are valid.
@Suite("Parser fuzz regressions")
struct ParserFuzzRegressionTests {
    /// A 128-byte `.npy` may declare an empty (T, V, C) array of 10¹⁵ frames of 25 joints and 0
    /// channels; moving its channels first used to walk all 2.5·10¹⁶ (t, v) pairs.
    @Test(.timeLimit(.minutes(1)))
    func emptySkeletonArrayWithAHugeFrameAxisIsConvertedAtOnce() throws {
        let frames = 1_000_000_000_000_000
        let file = NPY.encode(Tensor(zeros: [frames, 25, 0]))
        let array = try NPY.decode(file, source: "empty.npy")
        let tensor = try SkeletonArray.tensor(from: array, joints: 25, source: "empty.npy")
        #expect(file.count == 128)
        #expect(tensor.shape == [1, 0, frames, 25, 1])
    }
}
