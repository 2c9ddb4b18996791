import Foundation
import STIO

/// libFuzzer entry point for the skeleton readers: `NTUSkeleton.parse(_:file:)` on the input as
/// text, then `tensor(frames:persons:)` on what it accepts; and for inputs that are `.npy` arrays,
/// `SkeletonArray.tensor(from:joints:source:)` with NTU's 25 joints.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSkeleton(_ bytes: UnsafePointer<UInt8>, _ count: Int) -> CInt {
    let data = Data(bytes: bytes, count: count)
    if let skeleton = try? NTUSkeleton.parse(String(decoding: data, as: UTF8.self), file: "fuzz.skeleton") {
        _ = skeleton.tensor(frames: 16, persons: 2)
    }
    if let array = try? NPY.decode(data, source: "fuzz.npy") {
        _ = try? SkeletonArray.tensor(from: array, joints: NTUSkeleton.jointCount, source: "fuzz.npy")
    }
    return 0
}
