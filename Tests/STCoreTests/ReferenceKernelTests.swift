import Foundation
import Testing
import TestSupport
@testable import STCore

/// The reference kernels checked against small hand-computed examples. Every expected value is
/// derived in the comment above it, independently of the code under test.
@Suite struct ReferenceKernelTests {
    private let tight: Float = 1e-6

    // MARK: Convolution

    @Test func convolutionWithStride2AndPadding1CrossCorrelatesTheZeroPaddedInput() {
        // x = 1…9 as a 3×3 image, zero-padded to 5×5:
        //   0 0 0 0 0
        //   0 1 2 3 0
        //   0 4 5 6 0
        //   0 7 8 9 0
        //   0 0 0 0 0
        // Output size ⌊(3 + 2 − 2 − 1)/2⌋ + 1 = 2; the windows start at padded rows/cols 0 and 2.
        // w = [[1,0,2],[0,3,0],[4,0,5]] (not flipped), bias 0.5:
        //   (0,0): window [[0,0,0],[0,1,2],[0,4,5]] → 3·1 + 5·5       = 28 → 28.5
        //   (0,1): window [[0,0,0],[2,3,0],[5,6,0]] → 3·3 + 4·5       = 29 → 29.5
        //   (1,0): window [[0,4,5],[0,7,8],[0,0,0]] → 2·5 + 3·7       = 31 → 31.5
        //   (1,1): window [[5,6,0],[8,9,0],[0,0,0]] → 1·5 + 3·9       = 32 → 32.5
        // (A flipped kernel would give 8 at (0,0).)
        let x = Tensor(shape: [1, 1, 3, 3], scalars: [1, 2, 3, 4, 5, 6, 7, 8, 9])
        let w = Tensor(shape: [1, 1, 3, 3], scalars: [1, 0, 2, 0, 3, 0, 4, 0, 5])
        let y = Reference.convolution(x, weight: w, bias: Tensor(shape: [1], scalars: [0.5]),
                                      stride: [2, 2], padding: [1, 1], dilation: [1, 1], groups: 1)
        #expect(y.shape == [1, 1, 2, 2])
        expectClose(y, Tensor(shape: [1, 1, 2, 2], scalars: [28.5, 29.5, 31.5, 32.5]), .normwise(tight))
    }

    @Test func groupedConvolutionConnectsEachOutputChannelOnlyToItsGroupsInputChannels() {
        // 4 input channels of length 2: c0 = [1,2], c1 = [3,4], c2 = [5,6], c3 = [7,8]; groups 2,
        // 4 output channels, kernel size 1, weight (4, 2, 1):
        //   o0 (group 0) = 1·c0 + 10·c1     = [31, 42]
        //   o1 (group 0) = −1·c0 + 0·c1     = [−1, −2]
        //   o2 (group 1) = 100·c2 + 1000·c3 = [500 + 7000, 600 + 8000] = [7500, 8600]
        //   o3 (group 1) = 0·c2 + 1·c3      = [7, 8]
        let x = Tensor(shape: [1, 4, 2], scalars: [1, 2, 3, 4, 5, 6, 7, 8])
        let w = Tensor(shape: [4, 2, 1], scalars: [1, 10, -1, 0, 100, 1000, 0, 1])
        let y = Reference.convolution(x, weight: w, bias: nil, stride: [1], padding: [0], dilation: [1], groups: 2)
        #expect(y.shape == [1, 4, 2])
        expectClose(y, Tensor(shape: [1, 4, 2], scalars: [31, 42, -1, -2, 7500, 8600, 7, 8]), .normwise(tight))
    }

    @Test func dilatedConvolutionSpacesTheKernelTapsByTheDilation() {
        // x = [1,2,3,4,5], kernel [1, 10], dilation 2 → taps at t and t + 2;
        // output length ⌊(5 − 2·1 − 1)/1⌋ + 1 = 3:
        //   y[t] = x[t] + 10·x[t+2] = [1 + 30, 2 + 40, 3 + 50] = [31, 42, 53]
        let x = Tensor(shape: [1, 1, 5], scalars: [1, 2, 3, 4, 5])
        let w = Tensor(shape: [1, 1, 2], scalars: [1, 10])
        let y = Reference.convolution(x, weight: w, bias: nil, stride: [1], padding: [0], dilation: [2], groups: 1)
        expectClose(y, Tensor(shape: [1, 1, 3], scalars: [31, 42, 53]), .normwise(tight))
    }

    @Test func threeDimensionalConvolutionSumsOverTheWholeVolumeWindow() {
        // x = 1…8 as a 2×2×2 volume, kernel of ones 2×2×2, padding 1 → output 3×3×3.
        //   corner (0,0,0): the window covers padded [−1,0]³, only x[0,0,0] = 1 is inside → 1
        //   centre (1,1,1): the window is exactly the input → 1 + … + 8 = 36
        //   (2,2,2): only x[1,1,1] = 8 is inside → 8
        let x = Tensor(shape: [1, 1, 2, 2, 2], scalars: [1, 2, 3, 4, 5, 6, 7, 8])
        let w = Tensor(repeating: 1, shape: [1, 1, 2, 2, 2])
        let y = Reference.convolution(x, weight: w, bias: nil, stride: [1], padding: [1], dilation: [1], groups: 1)
        #expect(y.shape == [1, 1, 3, 3, 3])
        #expect(y[0, 0, 0, 0, 0] == 1)
        #expect(y[0, 0, 1, 1, 1] == 36)
        #expect(y[0, 0, 2, 2, 2] == 8)
    }

    // MARK: Pooling

    @Test func poolOutputSizeFollowsPyTorchFloorAndCeilRules() {
        // floor: ⌊(5 − 1·(2 − 1) − 1)/2⌋ + 1 = ⌊3/2⌋ + 1 = 2; ceil: ⌊(3 + 1)/2⌋ + 1 = 3,
        // last window starts at 2·2 = 4 < 5 + 0, so it is kept.
        #expect(Reference.poolOutputSize(input: 5, kernel: 2, stride: 2, padding: 0, dilation: 1, ceilMode: false) == 2)
        #expect(Reference.poolOutputSize(input: 5, kernel: 2, stride: 2, padding: 0, dilation: 1, ceilMode: true) == 3)
        // ceil: ⌊(5 + 2 − 1 − 1 + 3)/4⌋ + 1 = ⌊8/4⌋ + 1 = 3, but the last window would start at
        // (3 − 1)·4 = 8 ≥ 5 + 1 (entirely in the right padding), so it is dropped → 2.
        #expect(Reference.poolOutputSize(input: 5, kernel: 2, stride: 4, padding: 1, dilation: 1, ceilMode: true) == 2)
        // dilation 2, kernel 3 spans 5 elements: ⌊(7 − 2·2 − 1)/1⌋ + 1 = 3.
        #expect(Reference.poolOutputSize(input: 7, kernel: 3, stride: 1, padding: 0, dilation: 2, ceilMode: false) == 3)
    }

    @Test func maxPoolInCeilModeAddsAPartialWindowAtTheEnd() {
        // x = 1…9 as 3×3, kernel 2, stride 2. Floor mode: one window [[1,2],[4,5]] → 5.
        // Ceil mode: 2×2 windows, the right/bottom ones clipped to the input:
        //   [[1,2],[4,5]] → 5   [[3],[6]] → 6   [[7,8]] → 8   [[9]] → 9
        let x = Tensor(shape: [1, 1, 3, 3], scalars: [1, 2, 3, 4, 5, 6, 7, 8, 9])
        let floor = Reference.maxPool(x, kernel: [2, 2], stride: [2, 2], padding: [0, 0], dilation: [1, 1], ceilMode: false)
        #expect(floor == Tensor(shape: [1, 1, 1, 1], scalars: [5]))
        let ceil = Reference.maxPool(x, kernel: [2, 2], stride: [2, 2], padding: [0, 0], dilation: [1, 1], ceilMode: true)
        #expect(ceil == Tensor(shape: [1, 1, 2, 2], scalars: [5, 6, 8, 9]))
    }

    @Test func maxPoolPaddingIsNegativeInfinityNotZero() {
        // x = [−1, −2, −3], kernel 2, stride 2, padding 1 → ⌊(3 + 2 − 1 − 1)/2⌋ + 1 = 2 windows:
        //   [pad, −1] → −1,  [−2, −3] → −2   (zero padding would wrongly give 0 for the first)
        let x = Tensor(shape: [1, 1, 3], scalars: [-1, -2, -3])
        let y = Reference.maxPool(x, kernel: [2], stride: [2], padding: [1], dilation: [1], ceilMode: false)
        #expect(y == Tensor(shape: [1, 1, 2], scalars: [-1, -2]))
    }

    @Test func avgPoolDivisorCountsPaddingOnlyWithCountIncludePad() {
        // x = [1,2,3,4], kernel 3, stride 2, padding 1.
        // Floor mode: ⌊(4 + 2 − 3)/2⌋ + 1 = 2 windows, [−1,2) and [1,4):
        //   sums 0 + 1 + 2 = 3 and 2 + 3 + 4 = 9
        //   include pad: 3/3 = 1, 9/3 = 3;  exclude pad: 3/2 = 1.5, 9/3 = 3
        // Ceil mode: ⌊(4 + 2 − 3 + 1)/2⌋ + 1 = 3, last start 2·2 = 4 < 4 + 1 → kept. Third window
        // starts at 3, end = min(3 + 3, 4 + 1) = 5 (clipped to input + right padding), so it holds
        // x[3] = 4 and one padding element:
        //   include pad: 4/(5 − 3) = 2;  exclude pad: 4/1 = 4
        let x = Tensor(shape: [1, 1, 4], scalars: [1, 2, 3, 4])
        func pool(ceil: Bool, include: Bool) -> Tensor {
            Reference.avgPool(x, kernel: [3], stride: [2], padding: [1], ceilMode: ceil, countIncludePad: include)
        }
        expectClose(pool(ceil: false, include: true), Tensor(shape: [1, 1, 2], scalars: [1, 3]), .normwise(tight))
        expectClose(pool(ceil: false, include: false), Tensor(shape: [1, 1, 2], scalars: [1.5, 3]), .normwise(tight))
        expectClose(pool(ceil: true, include: true), Tensor(shape: [1, 1, 3], scalars: [1, 3, 2]), .normwise(tight))
        expectClose(pool(ceil: true, include: false), Tensor(shape: [1, 1, 3], scalars: [1.5, 3, 4]), .normwise(tight))
    }

    @Test func adaptiveAvgPoolUsesOverlappingFloorCeilWindowsWhenSizesDoNotDivide() {
        // Width 5 → 3: start ⌊i·5/3⌋, end ⌈(i+1)·5/3⌉ → [0,2), [1,4), [3,5). Height 2 → 1: [0,2).
        // x rows [1,2,3,4,5] and [6,7,8,9,10]:
        //   window 0: {1,2,6,7}         → 16/4 = 4
        //   window 1: {2,3,4,7,8,9}     → 33/6 = 5.5
        //   window 2: {4,5,9,10}        → 28/4 = 7
        let x = Tensor(shape: [1, 1, 2, 5], scalars: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10])
        let y = Reference.adaptiveAvgPool(x, outputSize: [1, 3])
        expectClose(y, Tensor(shape: [1, 1, 1, 3], scalars: [4, 5.5, 7]), .normwise(tight))
        // The same along a single dimension: [1,2,3,4,5] → [1.5, 3, 4.5].
        let x1 = Tensor(shape: [1, 1, 5], scalars: [1, 2, 3, 4, 5])
        expectClose(Reference.adaptiveAvgPool(x1, outputSize: [3]),
                    Tensor(shape: [1, 1, 3], scalars: [1.5, 3, 4.5]), .normwise(tight))
    }

    // MARK: Normalization

    @Test func batchNormInferenceNormalisesEachChannelWithItsOwnStatistics() {
        // x (1, 2, 2): channel 0 = [1, 3], channel 1 = [2, 4]; mean [2, 0], variance [3.99, 0.99],
        // epsilon 0.01 → √(var + ε) = [2, 1]; weight [1, 2], bias [0, 1]:
        //   channel 0: (1 − 2)/2·1 + 0 = −0.5,  (3 − 2)/2·1 + 0 = 0.5
        //   channel 1: (2 − 0)/1·2 + 1 = 5,     (4 − 0)/1·2 + 1 = 9
        let x = Tensor(shape: [1, 2, 2], scalars: [1, 3, 2, 4])
        let y = Reference.batchNormInference(
            x, mean: Tensor(shape: [2], scalars: [2, 0]), variance: Tensor(shape: [2], scalars: [3.99, 0.99]),
            weight: Tensor(shape: [2], scalars: [1, 2]), bias: Tensor(shape: [2], scalars: [0, 1]), epsilon: 0.01)
        expectClose(y, Tensor(shape: [1, 2, 2], scalars: [-0.5, 0.5, 5, 9]), .normwise(1e-6))
    }

    @Test func batchNormTrainingUsesBatchMeanAndBiasedVariance() {
        // x (2, 2, 1): sample 0 = (1, 2), sample 1 = (3, 6) for channels (0, 1).
        //   channel 0: values {1, 3}: mean 2, biased variance ((−1)² + 1²)/2 = 1 (unbiased would be 2)
        //   channel 1: values {2, 6}: mean 4, biased variance ((−2)² + 2²)/2 = 4 (unbiased would be 8)
        // weight 1, bias 0, ε = 0 → channel 0: (1 − 2)/1 = −1, (3 − 2)/1 = 1;
        //                           channel 1: (2 − 4)/2 = −1, (6 − 4)/2 = 1.
        let x = Tensor(shape: [2, 2, 1], scalars: [1, 2, 3, 6])
        let result = Reference.batchNormTraining(x, weight: Tensor(repeating: 1, shape: [2]),
                                                 bias: Tensor(zeros: [2]), epsilon: 0)
        #expect(result.mean == Tensor(shape: [2], scalars: [2, 4]))
        #expect(result.variance == Tensor(shape: [2], scalars: [1, 4]))
        #expect(result.output == Tensor(shape: [2, 2, 1], scalars: [-1, -1, 1, 1]))
    }

    // MARK: Dense

    @Test func linearComputesXTimesWeightTransposedPlusBiasOverLeadingAxes() {
        // x rows [1,2,3] and [4,5,6]; W = [[1,0,−1],[0.5,0.5,0.5]], b = [10, −1]:
        //   row 0: 1 − 3 + 10 = 8,  0.5·6 − 1  = 2
        //   row 1: 4 − 6 + 10 = 8,  0.5·15 − 1 = 6.5
        let x = Tensor(shape: [1, 2, 3], scalars: [1, 2, 3, 4, 5, 6])
        let w = Tensor(shape: [2, 3], scalars: [1, 0, -1, 0.5, 0.5, 0.5])
        let y = Reference.linear(x, weight: w, bias: Tensor(shape: [2], scalars: [10, -1]))
        expectClose(y, Tensor(shape: [1, 2, 2], scalars: [8, 2, 8, 6.5]), .normwise(tight))
    }

    @Test func matmulBroadcastsBatchAxes() {
        // a (2, 1, 1, 2): a0 = [1, 2], a1 = [3, 4]; b (3, 2, 1): b_j = (j+1)·[1, 10]ᵀ.
        // Batch shapes (2, 1) and (3) broadcast to (2, 3); out[i, j] = a_i · b_j:
        //   a0·b_j = (1 + 20)(j+1) = 21, 42, 63;  a1·b_j = (3 + 40)(j+1) = 43, 86, 129
        let a = Tensor(shape: [2, 1, 1, 2], scalars: [1, 2, 3, 4])
        let b = Tensor(shape: [3, 2, 1], scalars: [1, 10, 2, 20, 3, 30])
        let y = Reference.matmul(a, b)
        expectClose(y, Tensor(shape: [2, 3, 1, 1], scalars: [21, 42, 63, 43, 86, 129]), .normwise(tight))
        // Plain 2×2: [[1,2],[3,4]]·[[5,6],[7,8]] = [[5+14, 6+16], [15+28, 18+32]] = [[19,22],[43,50]].
        let p = Reference.matmul(Tensor(shape: [2, 2], scalars: [1, 2, 3, 4]), Tensor(shape: [2, 2], scalars: [5, 6, 7, 8]))
        #expect(p == Tensor(shape: [2, 2], scalars: [19, 22, 43, 50]))
    }

    // MARK: Elementwise

    @Test func activationsMatchTheirClosedForms() {
        // relu([−1, 0, 2]) = [0, 0, 2]
        #expect(Reference.relu(Tensor(shape: [3], scalars: [-1, 0, 2])).scalars == [0, 0, 2])
        // sigmoid(0) = 1/2; sigmoid(ln 3) = 1/(1 + 1/3) = 3/4
        expectClose(Reference.sigmoid(Tensor(shape: [2], scalars: [0, Float(log(3.0))])),
                    Tensor(shape: [2], scalars: [0.5, 0.75]), .normwise(tight))
        // tanh(ln 2) = (2 − 1/2)/(2 + 1/2) = 0.6; tanh(0) = 0
        expectClose(Reference.tanh(Tensor(shape: [2], scalars: [Float(log(2.0)), 0])),
                    Tensor(shape: [2], scalars: [0.6, 0]), .normwise(tight))
    }

    @Test func softmaxOfOneTwoThree() {
        // e¹ = 2.718282, e² = 7.389056, e³ = 20.085537, sum = 30.192875:
        //   softmax = [0.0900306, 0.2447285, 0.6652410]
        //   log-softmax = x − ln 30.192875 = x − 3.4076060 = [−2.4076060, −1.4076060, −0.4076060]
        let x = Tensor(shape: [3], scalars: [1, 2, 3])
        expectClose(Reference.softmax(x, axis: 0),
                    Tensor(shape: [3], scalars: [0.0900306, 0.2447285, 0.6652410]), .normwise(1e-6))
        expectClose(Reference.logSoftmax(x, axis: -1),
                    Tensor(shape: [3], scalars: [-2.4076060, -1.4076060, -0.4076060]), .normwise(1e-6))
    }

    @Test func softmaxNormalisesAlongTheRequestedAxisOnly() {
        // x = [[0, 1], [0, 1]]. Along axis 0 each column is constant → 1/2 everywhere.
        // Along axis 1 each row is [1, e]/(1 + e) = [0.2689414, 0.7310586].
        let x = Tensor(shape: [2, 2], scalars: [0, 1, 0, 1])
        expectClose(Reference.softmax(x, axis: 0), Tensor(repeating: 0.5, shape: [2, 2]), .normwise(tight))
        expectClose(Reference.softmax(x, axis: 1),
                    Tensor(shape: [2, 2], scalars: [0.2689414, 0.7310586, 0.2689414, 0.7310586]), .normwise(1e-6))
    }

    @Test func addAndMulBroadcastLikeNumpy() {
        // (2, 1) [[1], [2]] + (3) [10, 20, 30] → (2, 3) [[11, 21, 31], [12, 22, 32]]
        let column = Tensor(shape: [2, 1], scalars: [1, 2])
        #expect(Reference.add(column, Tensor(shape: [3], scalars: [10, 20, 30]))
                == Tensor(shape: [2, 3], scalars: [11, 21, 31, 12, 22, 32]))
        // (2, 1) · (1, 3) [[10, 20, 30]] → [[10, 20, 30], [20, 40, 60]]
        #expect(Reference.mul(column, Tensor(shape: [1, 3], scalars: [10, 20, 30]))
                == Tensor(shape: [2, 3], scalars: [10, 20, 30, 20, 40, 60]))
    }

    // MARK: Shape

    @Test func concatJoinsAlongTheGivenAxis() {
        // a (2, 1) [[1], [2]], b (2, 2) [[3, 4], [5, 6]] along axis 1 → [[1, 3, 4], [2, 5, 6]]
        let a = Tensor(shape: [2, 1], scalars: [1, 2]), b = Tensor(shape: [2, 2], scalars: [3, 4, 5, 6])
        let expected = Tensor(shape: [2, 3], scalars: [1, 3, 4, 2, 5, 6])
        #expect(Reference.concat([a, b], axis: 1) == expected)
        #expect(Reference.concat([a, b], axis: -1) == expected)
        // along axis 0: [[1], [2]] and [[7], [8]] → [[1], [2], [7], [8]]
        #expect(Reference.concat([a, Tensor(shape: [2, 1], scalars: [7, 8])], axis: 0)
                == Tensor(shape: [4, 1], scalars: [1, 2, 7, 8]))
    }

    @Test func permuteMovesAxesSoThatOutputAxisIIsInputAxisOrderI() {
        // x (2, 1, 3) = [[[0, 1, 2]], [[3, 4, 5]]]; order [2, 0, 1] → shape (3, 2, 1),
        // out[i, j, 0] = x[j, 0, i] → [[0, 3], [1, 4], [2, 5]]
        let x = Tensor(shape: [2, 1, 3], scalars: [0, 1, 2, 3, 4, 5])
        #expect(Reference.permute(x, [2, 0, 1]) == Tensor(shape: [3, 2, 1], scalars: [0, 3, 1, 4, 2, 5]))
    }

    @Test func meanReducesTheListedAxes() {
        // x = [[1, 2, 3], [4, 5, 6]]: row means [2, 5], column means [2.5, 3.5, 4.5], overall 3.5
        let x = Tensor(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 6])
        #expect(Reference.mean(x, axes: [1], keepDims: false) == Tensor(shape: [2], scalars: [2, 5]))
        #expect(Reference.mean(x, axes: [-1], keepDims: true) == Tensor(shape: [2, 1], scalars: [2, 5]))
        #expect(Reference.mean(x, axes: [0], keepDims: false) == Tensor(shape: [3], scalars: [2.5, 3.5, 4.5]))
        #expect(Reference.mean(x, axes: [0, 1], keepDims: false) == Tensor(shape: [], scalars: [3.5]))
        #expect(Reference.mean(x, axes: [1, 0], keepDims: true) == Tensor(shape: [1, 1], scalars: [3.5]))
    }

    // MARK: LSTM

    @Test func singleStepSingleUnitLSTMMatchesTheGateEquations() {
        // Input size 1, hidden size 1, x_0 = 1, h_{−1} = c_{−1} = 0 (so W_hh does not matter).
        // W_ih = [0.5, −0.5, 1, 2] (i, f, g, o), b_ih = 0, b_hh = [0.5, 0, 0, −1]:
        //   z = [0.5 + 0.5, −0.5, 1, 2 − 1] = [1, −0.5, 1, 1]
        //   i = σ(1) = 0.7310586, g = tanh(1) = 0.7615942, o = σ(1) = 0.7310586 (f is multiplied by c = 0)
        //   c = i·g = 0.7310586 · 0.7615942 = 0.5567699
        //   tanh(c) = (e^{1.1135399} − 1)/(e^{1.1135399} + 1) = (3.045119 − 1)/(3.045119 + 1) = 0.505577
        //   h = o·tanh(c) = 0.7310586 · 0.505577 = 0.369606
        let x = Tensor(shape: [1, 1, 1], scalars: [1])
        let result = Reference.lstm(
            x,
            weightsIH: [Tensor(shape: [4, 1], scalars: [0.5, -0.5, 1, 2])],
            weightsHH: [Tensor(shape: [4, 1], scalars: [3, 3, 3, 3])],
            biasesIH: [Tensor(zeros: [4])],
            biasesHH: [Tensor(shape: [4], scalars: [0.5, 0, 0, -1])])
        #expect(result.output.shape == [1, 1, 1])
        #expect(result.hidden.shape == [1, 1, 1])
        expectClose(result.output, Tensor(shape: [1, 1, 1], scalars: [0.369606]), .normwise(1e-5))
        expectClose(result.hidden, Tensor(shape: [1, 1, 1], scalars: [0.369606]), .normwise(1e-5))
        expectClose(result.cell, Tensor(shape: [1, 1, 1], scalars: [0.5567699]), .normwise(1e-5))
    }

    @Test func lstmCellStateAccumulatesAcrossStepsWhenTheForgetGateIsOpen() {
        // Hidden size 1, W_hh = 0; biases 30 on i, f, o saturate those gates to σ(30) ≈ 1 − 1e-13,
        // and g = tanh(x_t) (W_ih row g = 1, others 0). With x = [0.5, −0.25]:
        //   c_0 = tanh(0.5) = 0.4621172,              h_0 = tanh(c_0) = 0.4318082
        //   c_1 = c_0 + tanh(−0.25) = 0.4621172 − 0.2449187 = 0.2171985,  h_1 = tanh(0.2171985) = 0.2138463
        let x = Tensor(shape: [1, 2, 1], scalars: [0.5, -0.25])
        let result = Reference.lstm(
            x,
            weightsIH: [Tensor(shape: [4, 1], scalars: [0, 0, 1, 0])],
            weightsHH: [Tensor(zeros: [4, 1])],
            biasesIH: [Tensor(shape: [4], scalars: [30, 30, 0, 30])],
            biasesHH: [Tensor(zeros: [4])])
        expectClose(result.output, Tensor(shape: [1, 2, 1], scalars: [0.4318082, 0.2138463]), .normwise(1e-5))
        expectClose(result.cell, Tensor(shape: [1, 1, 1], scalars: [0.2171985]), .normwise(1e-5))
    }

    @Test func stackedLSTMFeedsEachLayerTheOutputSequenceOfTheLayerBelow() {
        // A 2-layer LSTM equals layer 0 run alone followed by layer 1 run on layer 0's output;
        // hidden/cell stack the final states of both layers.
        let (n, t, inputSize, h) = (2, 3, 4, 5)
        let x = Tensor.randomNormal(shape: [n, t, inputSize], seed: 1)
        let wIH = [Tensor.randomUniform(shape: [4 * h, inputSize], in: -0.5...0.5, seed: 2),
                   Tensor.randomUniform(shape: [4 * h, h], in: -0.5...0.5, seed: 3)]
        let wHH = [Tensor.randomUniform(shape: [4 * h, h], in: -0.5...0.5, seed: 4),
                   Tensor.randomUniform(shape: [4 * h, h], in: -0.5...0.5, seed: 5)]
        let bIH = [Tensor.randomUniform(shape: [4 * h], seed: 6), Tensor.randomUniform(shape: [4 * h], seed: 7)]
        let bHH = [Tensor.randomUniform(shape: [4 * h], seed: 8), Tensor.randomUniform(shape: [4 * h], seed: 9)]

        let stacked = Reference.lstm(x, weightsIH: wIH, weightsHH: wHH, biasesIH: bIH, biasesHH: bHH)
        let lower = Reference.lstm(x, weightsIH: [wIH[0]], weightsHH: [wHH[0]], biasesIH: [bIH[0]], biasesHH: [bHH[0]])
        let upper = Reference.lstm(lower.output, weightsIH: [wIH[1]], weightsHH: [wHH[1]], biasesIH: [bIH[1]], biasesHH: [bHH[1]])

        #expect(stacked.output.shape == [n, t, h])
        #expect(stacked.hidden.shape == [2, n, h] && stacked.cell.shape == [2, n, h])
        expectClose(stacked.output, upper.output, .normwise(1e-6))
        expectClose(stacked.hidden, Reference.concat([lower.hidden, upper.hidden], axis: 0), .normwise(1e-6))
        expectClose(stacked.cell, Reference.concat([lower.cell, upper.cell], axis: 0), .normwise(1e-6))
        // The last output step is the last layer's final hidden state.
        for sample in 0..<n {
            for unit in 0..<h {
                #expect(stacked.output[sample, t - 1, unit] == stacked.hidden[1, sample, unit])
            }
        }
    }

    // MARK: Graph aggregation

    @Test func graphAggregationSumsPartitionsAndSourceVerticesThroughTheAdjacency() {
        // x (n=1, k=2, c=2, t=1, v=2): k0c0 = [1, 2], k0c1 = [0, 1], k1c0 = [3, 4], k1c1 = [1, 0].
        // A0 = identity, A1 = [[0, 10], [1, 0]] (row = source vertex v, column = target w).
        // out[c, w] = Σ_k Σ_v x[k, c, v]·A_k[v, w]:
        //   c0: k0 → [1, 2]; k1 → w0 = 3·0 + 4·1 = 4, w1 = 3·10 + 4·0 = 30 → [5, 32]
        //   c1: k0 → [0, 1]; k1 → w0 = 1·0 + 0·1 = 0, w1 = 1·10 + 0·0 = 10 → [0, 11]
        // (Using A1ᵀ by mistake would give [41, 5] for c0.)
        let x = Tensor(shape: [1, 2, 2, 1, 2], scalars: [1, 2, 0, 1, 3, 4, 1, 0])
        let a = Tensor(shape: [2, 2, 2], scalars: [1, 0, 0, 1, 0, 10, 1, 0])
        let y = Reference.graphAggregation(x, adjacency: a)
        #expect(y == Tensor(shape: [1, 2, 1, 2], scalars: [5, 32, 0, 11]))
    }

    // MARK: Finite differences

    @Test func finiteDifferenceGradientOfSumOfSquaresIsTwiceX() {
        // f(x) = Σ x_i², ∂f/∂x_i = 2x_i; central differences are exact for quadratics:
        // ((x + ε)² − (x − ε)²)/(2ε) = 4xε/(2ε) = 2x. x = [1, −2, 0.5, 3] → [2, −4, 1, 6].
        let x = Tensor(shape: [2, 2], scalars: [1, -2, 0.5, 3])
        let gradient = FiniteDifference.gradient(of: { t in t.scalars.reduce(0) { $0 + $1 * $1 } }, at: x)
        expectClose(gradient, Tensor(shape: [2, 2], scalars: [2, -4, 1, 6]), .normwise(1e-3))
    }
}
