import Foundation
import STIO

/// libFuzzer entry point for the ONNX importer: `ONNXImporter.model(from:source:)` (protobuf
/// decoding, initializer decoding, constant folding and conversion to the engine's graph).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzONNX(_ bytes: UnsafePointer<UInt8>, _ count: Int) -> CInt {
    _ = try? ONNXImporter.model(from: Data(bytes: bytes, count: count), source: "fuzz.onnx")
    return 0
}
