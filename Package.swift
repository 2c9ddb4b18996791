// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "STExplain",
    platforms: [.macOS(.v14)],
    products: [
        .library(name: "STCore", targets: ["STCore"]),
        .executable(name: "stexplain", targets: ["stexplain"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
    ],
    targets: [
        .systemLibrary(name: "CDNNL", path: "Sources/CDNNL"),
        .target(
            name: "STCore",
            dependencies: ["CDNNL"]
        ),
        .executableTarget(
            name: "stexplain",
            dependencies: [
                "STCore",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(name: "STCoreTests", dependencies: ["STCore"]),
    ]
)
