import Testing
@testable import STRender

@Suite struct AxisScaleTests {
    @Test func unitRangeGetsTenthsInStepsOfTwo() {
        // range = nice(1) = 1; step = nice(1/5 = 0.2) = 2·10⁻¹ → 0, 0.2, …, 1.0 with one decimal.
        let scale = AxisScale(covering: 0, 1)
        #expect(scale.step == 0.2)
        #expect(scale.ticks.map(scale.label) == ["0.0", "0.2", "0.4", "0.6", "0.8", "1.0"])
    }

    @Test func percentagesWidenToTheNextTick() {
        // 10…90: range = nice(80) = 100 (not rounded: 8 → 10); step = nice(20) = 20;
        // lower = ⌊10/20⌋·20 = 0, upper = ⌈90/20⌉·20 = 100.
        let scale = AxisScale(covering: 10, 90)
        #expect(scale.lower == 0 && scale.upper == 100)
        #expect(scale.ticks.map(scale.label) == ["0", "20", "40", "60", "80", "100"])
    }

    @Test func signedRangesPrintZeroWithoutASign() {
        // −0.3…0.7: range = nice(1.0) = 1, step 0.2; lower ⌊−1.5⌋·0.2 = −0.4, upper ⌈3.5⌉·0.2 = 0.8.
        let scale = AxisScale(covering: -0.3, 0.7)
        #expect(scale.ticks.map(scale.label) == ["-0.4", "-0.2", "0.0", "0.2", "0.4", "0.6", "0.8"])
        #expect(AxisScale.format(-0.00001, decimals: 2) == "0.00")
    }

    @Test func fixedRangeKeepsItsBounds() {
        // Fixed 0…1 whatever the data: step nice(1/5) = 0.2.
        let scale = AxisScale(covering: 0.31, 0.78, fixed: 0...1)
        #expect(scale.lower == 0 && scale.upper == 1 && scale.ticks.count == 6)
    }

    @Test func degenerateRangeIsWidened() {
        // 5…5 → 2.5…7.5; range = nice(5) = 5, step = nice(1) = 1 → 2…8.
        let scale = AxisScale(covering: 5, 5)
        #expect(scale.lower == 2 && scale.upper == 8 && scale.step == 1)
    }
}
