// swift-tools-version:5.9
import PackageDescription

let package = Package(
    name: "nngc",
    products: [
        .library(name: "NNGC", targets: ["NNGCore", "NNGLang", "NNGIR", "NNGRuntime"]),
        .executable(name: "nngc", targets: ["nngc"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-numerics", from: "1.0.0"),
    ],
    targets: [
        .systemLibrary(name: "CBLAS", path: "Sources/CBLAS"),
        .systemLibrary(name: "CTinyCC", path: "Sources/CTinyCC"),
        .target(name: "NNGCore", dependencies: [.product(name: "RealModule", package: "swift-numerics")]),
        .target(name: "NNGLang", dependencies: ["NNGCore"]),
        .target(name: "NNGIR", dependencies: ["NNGCore", "NNGLang", .product(name: "RealModule", package: "swift-numerics")]),
        .target(name: "NNGRuntime", dependencies: ["NNGCore", "NNGIR", "CBLAS", "CTinyCC",
                                                  .product(name: "RealModule", package: "swift-numerics")]),
        .executableTarget(name: "nngc", dependencies: [
            "NNGCore", "NNGLang", "NNGIR", "NNGRuntime",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        .executableTarget(name: "nngc-bench", dependencies: ["NNGCore", "NNGLang", "NNGIR", "NNGRuntime"],
                          path: "Benchmarks/StepBenchmark"),
        .target(name: "NNGTestSupport", path: "Tests/NNGTestSupport"),
        .testTarget(name: "NNGCoreTests", dependencies: ["NNGCore"]),
        .testTarget(name: "NNGLangTests", dependencies: ["NNGCore", "NNGLang", "NNGTestSupport"]),
        .testTarget(name: "NNGIRTests", dependencies: ["NNGCore", "NNGLang", "NNGIR", "NNGTestSupport"]),
        .testTarget(name: "NNGRuntimeTests", dependencies: ["NNGCore", "NNGLang", "NNGIR", "NNGRuntime", "NNGTestSupport"]),
        .testTarget(name: "nngcTests", dependencies: ["nngc"]),
    ]
)
