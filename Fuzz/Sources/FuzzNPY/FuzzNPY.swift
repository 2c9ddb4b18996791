import Foundation
import STIO

/// libFuzzer entry point for the `.npy` and `.npz` readers: `NPY.decode(_:source:)` on every
/// input and, for inputs that start like a zip archive (`PK`), `NPZ.read(path:)` on the input
/// written to a scratch file (NPZ reads only from files).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzNPY(_ bytes: UnsafePointer<UInt8>, _ count: Int) -> CInt {
    let data = Data(bytes: bytes, count: count)
    _ = try? NPY.decode(data, source: "fuzz.npy")
    if data.starts(with: Array("PK".utf8)) {
        guard (try? data.write(to: scratchArchive)) != nil else { fatalError("cannot write \(scratchArchive.path)") }
        _ = try? NPZ.read(path: scratchArchive.path)
    }
    return 0
}

/// The scratch file for `.npz` inputs, one per process, in `TMPDIR`.
private let scratchArchive = FileManager.default.temporaryDirectory
    .appendingPathComponent("stexplain-fuzz-\(ProcessInfo.processInfo.processIdentifier).npz")
