import Foundation
import STIO

/// libFuzzer entry point for the safetensors reader, `SafeTensors.decode(_:file:)`.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSafeTensors(_ bytes: UnsafePointer<UInt8>, _ count: Int) -> CInt {
    _ = try? SafeTensors.decode(Data(bytes: bytes, count: count), file: "fuzz.safetensors")
    return 0
}
