// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "STExplain",
    platforms: [.macOS(.v14)],
    products: [
        .library(name: "STCore", targets: ["STCore"]),
        .library(name: "STModels", targets: ["STModels"]),
        .library(name: "STData", targets: ["STData"]),
        .library(name: "STIO", targets: ["STIO"]),
        .library(name: "STExplain", targets: ["STExplain"]),
        .library(name: "STMetrics", targets: ["STMetrics"]),
        .library(name: "STRender", targets: ["STRender"]),
        .executable(name: "stexplain", targets: ["stexplain"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-protobuf", from: "1.39.0"),
    ],
    targets: [
        .systemLibrary(name: "CDNNL", path: "Sources/CDNNL"),
        .systemLibrary(name: "CPNG", path: "Sources/CPNG", pkgConfig: "libpng", providers: [.apt(["libpng-dev"])]),
        .target(
            name: "STCore",
            dependencies: ["CDNNL"]
        ),
        .target(name: "STModels", dependencies: ["STCore"]),
        .target(name: "STData", dependencies: ["STCore", "STModels"]),
        .target(name: "STIO", dependencies: ["STCore", .product(name: "SwiftProtobuf", package: "swift-protobuf")]),
        .target(name: "STExplain", dependencies: ["STCore"]),
        .target(name: "STMetrics", dependencies: ["STCore", "STExplain"]),
        .target(name: "STRender", dependencies: ["STCore", "CPNG"]),
        .executableTarget(
            name: "stexplain",
            dependencies: [
                "STCore",
                "STModels",
                "STData",
                "STIO",
                "STExplain",
                "STMetrics",
                "STRender",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // What the test targets share: tolerance comparisons, expected errors, temporary directories.
        .target(name: "TestSupport", dependencies: ["STCore"], path: "Tests/TestSupport"),
        .testTarget(name: "STCoreTests", dependencies: ["STCore", "TestSupport"]),
        .testTarget(name: "STModelsTests", dependencies: ["STModels", "STCore", "TestSupport"]),
        .testTarget(name: "STDataTests", dependencies: ["STData", "STModels", "STCore", "TestSupport"]),
        .testTarget(name: "STIOTests", dependencies: ["STIO", "STCore", "TestSupport",
                                                      .product(name: "SwiftProtobuf", package: "swift-protobuf")]),
        .testTarget(name: "STExplainTests",
                    dependencies: ["STExplain", "STMetrics", "STModels", "STData", "STIO", "STCore", "TestSupport"]),
        .testTarget(name: "STMetricsTests", dependencies: ["STMetrics", "STExplain", "STCore", "TestSupport"]),
        .testTarget(name: "STRenderTests", dependencies: ["STRender", "STIO", "STCore", "TestSupport"]),
        .testTarget(name: "CLITests", dependencies: ["stexplain", "STIO", "STModels", "STCore", "TestSupport"]),
        .testTarget(name: "TestSupportTests", dependencies: ["TestSupport", "STCore"]),
    ]
)
