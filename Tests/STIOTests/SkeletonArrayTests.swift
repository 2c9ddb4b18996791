import Foundation
import Testing
import STCore
import TestSupport
@testable import STIO

@Suite struct SkeletonArrayTests {
    /// A tensor of `shape` whose elements are 0, 1, 2, … in row-major order.
    static func counting(_ shape: [Int]) -> Tensor {
        Tensor(shape: shape, scalars: (0..<shape.reduce(1, *)).map(Float.init))
    }

    @Test func oneSequenceOfFramesJointsChannelsMovesChannelsFirst() throws {
        // (T, V, C) = (4, 25, 3) counting: element [t, v, c] is (t·25 + v)·3 + c, and lands at
        // [0, c, t, v, 0] of the (1, 3, 4, 25, 1) result.
        let tensor = try SkeletonArray.tensor(from: Self.counting([4, 25, 3]), joints: 25, source: "pose.npy")
        #expect(tensor.shape == [1, 3, 4, 25, 1])
        for t in 0..<4 {
            for v in 0..<25 {
                for c in 0..<3 {
                    #expect(tensor[0, c, t, v, 0] == Float((t * 25 + v) * 3 + c))
                }
            }
        }
    }

    @Test func oneSampleGainsABatchAxisAndABatchIsKept() throws {
        let sample = Self.counting([3, 5, 18, 2])
        let batched = try SkeletonArray.tensor(from: sample, joints: 18, source: "kinetics.npy")
        #expect(batched.shape == [1, 3, 5, 18, 2] && batched.scalars == sample.scalars)
        let batch = Self.counting([2, 3, 5, 18, 2])
        #expect(try SkeletonArray.tensor(from: batch, layout: .nctvm, joints: 18, source: "batch.npy") == batch)
    }

    @Test func layoutIsInferredFromTheRank() {
        #expect(SkeletonArray.Layout(rank: 3) == .tvc)
        #expect(SkeletonArray.Layout(rank: 4) == .ctvm)
        #expect(SkeletonArray.Layout(rank: 5) == .nctvm)
        #expect(SkeletonArray.Layout(rank: 2) == nil)
        #expect(SkeletonArray.Layout.allCases.map(\.description) == ["(T, V, C)", "(C, T, V, M)", "(N, C, T, V, M)"])
    }

    @Test func wrongJointCountIsRejectedNamingTheAxis() {
        let error = badInput { _ = try SkeletonArray.tensor(from: Tensor(zeros: [30, 18, 3]), joints: 25, source: "op.npy") }
        #expect(error?.file == "op.npy")
        #expect(error?.reason == "expected 25 joints, got 18 (axis V of the (T, V, C) array of shape [30, 18, 3])")
        let sample = badInput { _ = try SkeletonArray.tensor(from: Tensor(zeros: [3, 30, 25, 2]), joints: 18, source: "s.npy") }
        #expect(sample?.reason == "expected 18 joints, got 25 (axis V of the (C, T, V, M) array of shape [3, 30, 25, 2])")
    }

    @Test func rankThatFitsNoLayoutOrNotTheGivenOneIsRejected() {
        let unknown = badInput { _ = try SkeletonArray.tensor(from: Tensor(zeros: [2, 3]), joints: 25, source: "m.npy") }
        #expect(unknown?.reason == "expected a (T, V, C), (C, T, V, M) or (N, C, T, V, M) skeleton array, got shape [2, 3]")
        let mismatch = badInput {
            _ = try SkeletonArray.tensor(from: Tensor(zeros: [30, 25, 3]), layout: .ctvm, joints: 25, source: "m.npy")
        }
        #expect(mismatch?.reason == "a (C, T, V, M) skeleton array has 4 axes, got shape [30, 25, 3]")
    }

    @Test func readDecodesTheNpyFileThenChecksIt() throws {
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        let path = scratch.file("pose.npy")
        try NPY.write(Self.counting([2, 25, 3]), to: path)
        let tensor = try SkeletonArray.read(path: path, joints: 25)
        #expect(tensor.shape == [1, 3, 2, 25, 1])
        #expect(tensor[0, 2, 1, 24, 0] == Float((1 * 25 + 24) * 3 + 2))
        let wrong = badInput { _ = try SkeletonArray.read(path: path, joints: 18) }
        #expect(wrong?.file == path && wrong?.reason.hasPrefix("expected 18 joints, got 25") == true)
        let missing = scratch.file("absent.npy")
        let error = badInput { _ = try SkeletonArray.read(path: missing, joints: 25) }
        #expect(error?.file == missing && error?.reason == "no such file")
    }
}
