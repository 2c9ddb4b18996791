// swift-tools-version:6.0
// libFuzzer targets for the STIO parsers, one executable each. Built and run by scripts/fuzz.sh
// (`make fuzz`) with libFuzzer's instrumentation and AddressSanitizer in this package and the
// STExplain modules it uses; libFuzzer supplies `main`, so the targets are compiled as libraries
// (-parse-as-library) and only define `LLVMFuzzerTestOneInput`.
import PackageDescription

let fuzzTargets = ["FuzzONNX", "FuzzSafeTensors", "FuzzNPY", "FuzzSkeleton"]

let package = Package(
    name: "STExplainFuzz",
    dependencies: [.package(name: "STExplain", path: "..")],
    targets: fuzzTargets.map { name in
        .executableTarget(
            name: name,
            dependencies: [.product(name: "STIO", package: "STExplain")],
            swiftSettings: [.unsafeFlags(["-parse-as-library"])]
        )
    }
)
