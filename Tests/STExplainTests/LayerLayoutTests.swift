import Testing
import STCore
import TestSupport
@testable import STExplain

@Suite struct LayerLayoutTests {
    // Two rows of one channel over two positions: A = [1, 2 | 3, 0], g = [1, 1 | 0, 2 or 4].
    let activations = Tensor(shape: [2, 1, 2], scalars: [1, 2, 3, 0])

    @Test func personsShareWeightsAndAreAveraged() throws {
        // Skeleton input N = 1, M = 2: α = mean(1, 1, 0, 2) = 1 over both persons;
        // per person [1, 2] and [3, 0], averaged → [2, 1].
        let layout = try LayerLayout(activation: [2, 1, 2], input: [1, 3, 8, 2, 2], kind: .skeleton, layer: "block")
        #expect(layout.grouping == .persons(2))
        let map = try layout.map(activations: activations, gradients: Tensor(shape: [2, 1, 2], scalars: [1, 1, 0, 2]),
                                 weighting: GradCAM())
        #expect(map.shape == [1, 2])
        #expect(map.scalars == [2, 1])
    }

    @Test func framesGetTheirOwnWeights() throws {
        // Video input N = 1, T = 2 frames through a per-frame CNN: frame 0 α = 1 → [1, 2];
        // frame 1 α = mean(0, 4) = 2 → [6, 0].
        let layout = try LayerLayout(activation: [2, 1, 2], input: [1, 3, 2, 4, 4], kind: .video, layer: "cnn")
        #expect(layout.grouping == .frames(2))
        let map = try layout.map(activations: activations, gradients: Tensor(shape: [2, 1, 2], scalars: [1, 1, 0, 4]),
                                 weighting: GradCAM())
        #expect(map.shape == [1, 2, 2])
        #expect(map.scalars == [1, 2, 6, 0])
    }

    @Test func rowsThatMatchNothingAreAnError() {
        expectError(.invalidRequest, mentioning: "layer 'odd' has 3 rows for 2 input samples") {
            try LayerLayout(activation: [3, 1, 2], input: [2, 3, 4, 8, 8], kind: .video, layer: "odd")
        }
    }
}
